#pragma once
#include <cstddef>
#include <functional>
#include <string_view>

namespace apsched::stores {

/** Hashes a std::string or std::string_view alike, so that maps keyed by strings can be searched with views. */
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace apsched::stores

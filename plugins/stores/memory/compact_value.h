#pragma once
#include <apsched/sdk/value.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace apsched::stores {

/**
 * The map keys of every document a store holds, each kept once: a compact value names a
 * key by its number here. Jobs repeat the same few dozen keys, so this is where most of
 * a document's bytes would otherwise go. Keys are only added, never removed (a key no
 * document uses any more costs its string once).
 *
 * THREADING: none; its owner serialises use.
 */
class KeyTable {
 public:
  std::uint32_t intern(std::string_view key);
  /** Throws std::out_of_range for a number intern() never gave. */
  const std::string& key(std::uint32_t number) const;
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  // FNV-1a: keys are short, and std::hash's byte loop was most of encoding a document.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      std::uint64_t h = 14695981039346656037ull;
      for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
      return static_cast<std::size_t>(h);
    }
  };
  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> numbers_;
};

/**
 * A Value as a byte string (about a third of its JSON, a tenth of its tree): a tag byte
 * per value, integers and lengths as varints, map keys as KeyTable numbers. Maps are
 * written in key order, so decoding needs no sorting.
 */
void encode_compact(const sdk::Value& value, KeyTable& keys, std::string& out);
/** Throws sdk::Error when `bytes` is not what encode_compact wrote with `keys`. */
sdk::Value decode_compact(std::string_view bytes, const KeyTable& keys);

}  // namespace apsched::stores

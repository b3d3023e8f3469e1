#pragma once
#include <cstdint>

namespace apsched::sdk {

enum class LogLevel : std::uint8_t { trace, debug, info, warning, error, critical };

}  // namespace apsched::sdk

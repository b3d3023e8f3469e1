#include <mutex>
#include <random>

#include "apsched/sdk/time.h"

namespace apsched::sdk {

Timestamp random_delay(double max_seconds) {
  if (!(max_seconds > 0)) return 0;
  static std::mutex mutex;  // guards engine
  static std::mt19937_64 engine{std::random_device{}()};
  auto max = static_cast<Timestamp>(max_seconds * static_cast<double>(kMicrosPerSecond));
  std::lock_guard lock(mutex);
  return std::uniform_int_distribution<Timestamp>(0, max)(engine);
}

}  // namespace apsched::sdk

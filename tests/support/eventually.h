#pragma once
// Polling for what other threads or processes do, with a bound: for every kind of test.
#include <chrono>
#include <thread>

namespace apsched::testing {

/** Polls `condition` every 5 ms until it holds or `bound` passes; true if it held. */
template <typename Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace apsched::testing

// SystemClock's waits: wait_until ends on time (it polls the last stretch), pause_until
// ends no earlier than asked and spends no CPU polling; both end at once when done.
#include <apsched/core/clock.h>

#include <catch2/catch.hpp>

#include <time.h>

#include <condition_variable>
#include <mutex>

using apsched::core::SystemClock;
using apsched::core::Timestamp;

namespace {

/** CPU time this thread has used, in microseconds. */
Timestamp thread_cpu_micros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<Timestamp>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1'000;
}

struct Waited {
  Timestamp late_micros;  ///< how long after the deadline the wait ended (negative: early)
  Timestamp cpu_micros;   ///< CPU time the waiting thread spent
};

template <typename Wait>
Waited measure(const SystemClock& clock, Wait&& wait) {
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock lock(mutex);
  const Timestamp deadline = clock.now() + 30'000;
  const Timestamp cpu_before = thread_cpu_micros();
  wait(cv, lock, deadline);
  return {clock.now() - deadline, thread_cpu_micros() - cpu_before};
}

}  // namespace

TEST_CASE("SystemClock: pause_until sleeps to its deadline without the final poll", "[clock]") {
  // A wait_until of this clock polls its last 20 ms (the default is 200 µs): a pause that
  // polled would take milliseconds of CPU, one that sleeps takes tens of microseconds.
  SystemClock clock(20'000);
  Waited paused = measure(clock, [&](auto& cv, auto& lock, Timestamp deadline) {
    clock.pause_until(cv, lock, deadline, [] { return false; });
  });
  CHECK(paused.late_micros >= 0);
  CHECK(paused.late_micros < 20'000);  // a wake-up's lateness, generously
  CHECK(paused.cpu_micros < 5'000);    // asleep throughout: no polling

  Waited waited = measure(clock, [&](auto& cv, auto& lock, Timestamp deadline) {
    clock.wait_until(cv, lock, deadline, [] { return false; });
  });
  CHECK(waited.late_micros >= 0);
  CHECK(waited.late_micros < 20'000);
}

TEST_CASE("SystemClock: both waits end at once when done", "[clock]") {
  SystemClock clock;
  const auto done = [] { return true; };
  Waited paused = measure(clock, [&](auto& cv, auto& lock, Timestamp deadline) {
    clock.pause_until(cv, lock, deadline, done);
  });
  Waited waited = measure(clock, [&](auto& cv, auto& lock, Timestamp deadline) {
    clock.wait_until(cv, lock, deadline, done);
  });
  CHECK(paused.late_micros < -20'000);  // 30 ms ahead of the deadline, less a generous 10 ms
  CHECK(waited.late_micros < -20'000);
}

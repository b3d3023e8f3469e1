// apsched-wake-floor: how late this machine lets a thread start at an instant, with no scheduler
// at all: the floor under W2's latencies (../shared/bench/WORKLOADS.md), measured the
// way the run's W2 idle probes are spaced (500 instants, 10 ms apart, wall clock).
//
// At each instant T a "timer" thread, which slept until T - 200 µs and polls the clock
// for the rest (as apsched's scheduler thread does), notes how late it saw T (`spin`:
// what the machine itself adds, e.g. a virtual CPU not running) and wakes a worker
// blocked on a condition variable, which notes how late it woke (`handoff`: any design
// whose jobs run on a sleeping pool thread). Half-way to the next instant the timer
// thread sleeps until T + 5 ms in one clock_nanosleep and notes how late it woke
// (`sleep`: a bare timed wake-up), counting those more than 0.5 ms late
// (`sleeps_over_half_ms`: the machine's stalls; W2's p99 is the 5th-worst of 500 probes,
// so a run with five such stalls at its probes has a p99 over 0.5 ms whatever the
// scheduler does). Both threads have a timer slack of 1 ns, as apsched's.
//
//   apsched-wake-floor   ->  one JSON line: {"impl": "wake-floor", "sleep_p50_ms": ..., ...}
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "nearest_rank.h"

namespace {

constexpr int kInstants = 500;
constexpr std::int64_t kPeriodUs = 10'000;
constexpr std::int64_t kSpinUs = 200;

std::int64_t wall_us() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec * 1'000'000 + now.tv_nsec / 1000;
}

void sleep_until_us(std::int64_t t) {
  timespec at{static_cast<time_t>(t / 1'000'000), static_cast<long>(t % 1'000'000) * 1000};
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, nullptr) != 0) {
  }
}

/** How many of `late_us` are over `limit_us`. */
long count_over(const std::vector<std::int64_t>& late_us, std::int64_t limit_us) {
  return std::count_if(late_us.begin(), late_us.end(), [limit_us](std::int64_t late) { return late > limit_us; });
}

/** The nearest-rank percentile of `late_us`, in milliseconds, as apsched-bench reports W2's. */
double percentile_ms(const std::vector<std::int64_t>& late_us, int p) {
  std::vector<double> ms;
  for (std::int64_t late : late_us) ms.push_back(static_cast<double>(late) / 1000.0);
  std::sort(ms.begin(), ms.end());
  return apsched::bench::nearest_rank(ms, p);
}

/** The instant the worker is to see, and what it saw; guarded by `mutex`. */
struct Handoff {
  std::mutex mutex;
  std::condition_variable signal;
  std::int64_t instant = 0;  ///< 0: nothing pending; -1: stop
  std::vector<std::int64_t> late_us;
};

void worker(Handoff& h) {
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  std::unique_lock lock(h.mutex);
  while (true) {
    h.signal.wait(lock, [&] { return h.instant != 0; });
    if (h.instant < 0) return;
    h.late_us.push_back(wall_us() - h.instant);
    h.instant = 0;
  }
}

}  // namespace

int main() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  Handoff handoff;
  std::thread pool_thread(worker, std::ref(handoff));
  std::vector<std::int64_t> spin_late, sleep_late;
  const std::int64_t first = wall_us() + 200'000;
  for (int i = 0; i < kInstants; ++i) {
    const std::int64_t t = first + i * kPeriodUs;
    sleep_until_us(t - kSpinUs);
    std::int64_t now = wall_us();
    while (now < t) {
      std::this_thread::yield();
      now = wall_us();
    }
    spin_late.push_back(now - t);
    {
      std::lock_guard lock(handoff.mutex);
      handoff.instant = t;
    }
    handoff.signal.notify_one();
    const std::int64_t half = t + kPeriodUs / 2;
    sleep_until_us(half);
    sleep_late.push_back(wall_us() - half);
  }
  {
    std::lock_guard lock(handoff.mutex);
    handoff.instant = -1;
  }
  handoff.signal.notify_one();
  pool_thread.join();
  std::printf(
      "{\"impl\": \"wake-floor\", \"workload\": \"wake-floor\", \"instants\": %d, "
      "\"sleep_p50_ms\": %.4f, \"sleep_p99_ms\": %.4f, \"spin_p50_ms\": %.4f, \"spin_p99_ms\": %.4f, "
      "\"handoff_p50_ms\": %.4f, \"handoff_p99_ms\": %.4f, \"handoffs\": %zu, \"sleeps_over_half_ms\": %ld}\n",
      kInstants, percentile_ms(sleep_late, 50), percentile_ms(sleep_late, 99), percentile_ms(spin_late, 50),
      percentile_ms(spin_late, 99), percentile_ms(handoff.late_us, 50), percentile_ms(handoff.late_us, 99),
      handoff.late_us.size(), count_over(sleep_late, 500));
  return 0;
}

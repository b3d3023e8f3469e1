#include "apsched/core/clock.h"

#include <sys/prctl.h>

#include <chrono>
#include <thread>

namespace apsched::core {

Timestamp SystemClock::now() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Wall-clock deadlines, as APScheduler: a clock step moves the wake-up with it.
std::chrono::system_clock::time_point wall_time(Timestamp t) {
  return std::chrono::system_clock::time_point{std::chrono::microseconds{t}};
}

}  // namespace

void SystemClock::wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                             std::optional<Timestamp> deadline, const std::function<bool()>& done) const {
  thread_local const bool slack_set = prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) == 0;
  (void)slack_set;
  if (!deadline) {
    cv.wait(lock, done);
    return;
  }
  const auto until = wall_time(*deadline);
  if (cv.wait_until(lock, until - std::chrono::microseconds{spin_micros_}, done)) return;
  while (!done() && std::chrono::system_clock::now() < until) {
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
}

void SystemClock::pause_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Timestamp deadline,
                              const std::function<bool()>& done) const {
  cv.wait_until(lock, wall_time(deadline), done);
}

Timestamp ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::set(Timestamp t) {
  std::lock_guard lock(mutex_);
  now_ = t;
}

void ManualClock::advance_seconds(double seconds) {
  std::lock_guard lock(mutex_);
  now_ += static_cast<Timestamp>(seconds * sdk::kMicrosPerSecond);
}

void ManualClock::wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                             std::optional<Timestamp> deadline, const std::function<bool()>& done) const {
  // Poll in short real-time slices: the manual time only moves when a test moves it.
  while (!done() && (!deadline || now() < *deadline)) cv.wait_for(lock, std::chrono::milliseconds(1));
}

}  // namespace apsched::core

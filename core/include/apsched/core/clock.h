#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

#include "apsched/sdk/time.h"

namespace apsched::core {

using sdk::Timestamp;

/** Time source of a scheduler; tests inject a ManualClock to be exact and fast. */
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
  /**
   * Blocks on `cv` (with `lock` held on entry and exit) until `done()` is true or the
   * clock reaches `deadline` (nullopt: no deadline).
   */
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          std::optional<Timestamp> deadline, const std::function<bool()>& done) const = 0;
  /**
   * As wait_until, for a wait whose end need not be exact (a pause between two looks
   * ahead): a clock may end it somewhat late to spend less. By default, wait_until.
   */
  virtual void pause_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Timestamp deadline,
                           const std::function<bool()>& done) const {
    wait_until(cv, lock, deadline, done);
  }
};

/**
 * The system's wall clock (what APScheduler uses). wait_until aims at the deadline to a
 * few microseconds: it gives the waiting thread the smallest timer slack (Linux's default
 * of 50 µs lets the kernel fire a timer that much late, PR_SET_TIMERSLACK), sleeps until
 * `spin_micros` before the deadline, and polls the last stretch with the lock released,
 * because a sleeping thread's wake-up is itself late by a varying 0.05–0.2 ms (more on a
 * virtual machine). The poll costs at most `spin_micros` of CPU per wake-up; 0 turns it off.
 * pause_until does not poll: it sleeps until the deadline, a wake-up's usual lateness.
 */
class SystemClock final : public Clock {
 public:
  static constexpr Timestamp kDefaultSpinMicros = 200;
  explicit SystemClock(Timestamp spin_micros = kDefaultSpinMicros) : spin_micros_(spin_micros) {}

  Timestamp now() const override;
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, std::optional<Timestamp> deadline,
                  const std::function<bool()>& done) const override;
  void pause_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Timestamp deadline,
                   const std::function<bool()>& done) const override;

 private:
  const Timestamp spin_micros_;
};

/**
 * A clock that moves only when told. wait_until never sleeps past the manual time: it
 * returns once `done()` holds or the deadline is reached, waiting for `advance` otherwise.
 * THREADING: all members are safe to call from any thread.
 */
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp now() const override;
  void set(Timestamp t);
  void advance_seconds(double seconds);
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, std::optional<Timestamp> deadline,
                  const std::function<bool()>& done) const override;

 private:
  mutable std::mutex mutex_;  // guards now_
  Timestamp now_;
};

}  // namespace apsched::core

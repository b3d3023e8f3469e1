#include "start_policy.h"

#include <algorithm>

namespace apsched::executors {

StartPolicy::StartPolicy(std::size_t workers, std::size_t parallel, Clock::duration settle,
                         Clock::duration longest_wait)
    : parallel_(std::max<std::size_t>(parallel, 1)), settle_(settle), longest_wait_(longest_wait), taken_at_(workers) {}

std::size_t StartPolicy::counted(Clock::time_point now, std::optional<std::size_t> except) const {
  std::size_t count = waking_;
  for (std::size_t slot = 0; slot < taken_at_.size(); ++slot)
    if (slot != except && taken_at_[slot] && now - *taken_at_[slot] < settle_) ++count;
  return count;
}

bool StartPolicy::want_watcher(std::size_t queued, std::size_t idle) {
  if (queued == 0 || idle == 0 || watcher_ || watcher_asked_ || all_hands_ || draining_) return false;
  watcher_asked_ = true;
  return true;
}

StartPolicy::Wakes StartPolicy::submitted(Clock::time_point now, std::size_t queued, std::size_t waiting,
                                          std::size_t idle) {
  Wakes wakes;
  if (all_hands_ || draining_) {
    wakes.takers = std::min(queued, idle);
  } else {
    const std::size_t busy = counted(now, std::nullopt);
    wakes.takers = std::min({queued, idle, busy < parallel_ ? parallel_ - busy : 0});
  }
  waking_ += wakes.takers;
  // Runs left over: a watcher too, woken now rather than by a taker before its first run.
  wakes.watcher = want_watcher(waiting + queued - wakes.takers, idle - wakes.takers);
  return wakes;
}

bool StartPolicy::may_take(std::size_t slot, Clock::time_point now) const {
  return all_hands_ || draining_ || counted(now, slot) < parallel_;
}

bool StartPolicy::took(std::size_t slot, Clock::time_point now, std::size_t left, std::size_t idle) {
  taken_at_[slot] = now;
  if (watcher_ == slot) watcher_.reset();  // it takes runs now: another watches
  if (left == 0) {
    all_hands_ = false;
    return false;
  }
  return want_watcher(left, idle);
}

bool StartPolicy::going_idle(std::size_t slot, std::size_t queued) {
  taken_at_[slot].reset();
  if (queued > 0 && (!watcher_ || watcher_ == slot) && !all_hands_ && !draining_) {
    watcher_ = slot;
    return true;
  }
  if (watcher_ == slot) watcher_.reset();
  return false;
}

void StartPolicy::woke(std::size_t slot, Wake why) {
  switch (why) {
    case Wake::take:
      --waking_;
      break;
    case Wake::watch:  // if it takes a run instead, took() asks for another
      watcher_asked_ = false;
      if (!watcher_) watcher_ = slot;
      break;
    case Wake::none:
    case Wake::everyone:
      break;
  }
}

bool StartPolicy::watched(Clock::time_point now, std::optional<Clock::time_point> oldest) {
  if (!oldest || now < watch_deadline(*oldest)) return false;
  all_hands_ = true;
  watcher_.reset();
  return true;
}

}  // namespace apsched::executors

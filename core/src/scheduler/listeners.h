#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "apsched/core/events.h"

namespace apsched::core::detail {

/**
 * Event listeners with masks.
 *
 * THREADING: `mutex_` guards `listeners_` and `next_id_`. The list is copy-on-write:
 * add/remove publish a new list, dispatch takes the current one (one shared_ptr copy per
 * event) and calls the listeners after releasing the lock, in the dispatching thread, so
 * a listener may add or remove listeners and call the scheduler. `interest_` (the union
 * of the masks) is written under `mutex_` and read without it: an event that nobody
 * listens to need not even be built.
 */
class Listeners {
 public:
  std::uint64_t add(Listener listener, std::uint32_t mask);
  void remove(std::uint64_t id);
  /** Calls every listener whose mask matches; a throwing listener is logged and skipped. */
  void dispatch(const std::vector<Event>& events) const;
  void dispatch(const Event& event) const;
  /** True when some listener's mask includes `code`. */
  bool wants(EventCode code) const noexcept { return (interest_.load(std::memory_order_relaxed) & code) != 0; }

 private:
  struct Entry {
    std::uint64_t id;
    Listener listener;
    std::uint32_t mask;
  };
  using List = std::vector<Entry>;

  void publish(std::shared_ptr<const List> list);  // needs lock

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::shared_ptr<const List> listeners_ = std::make_shared<const List>();
  std::atomic<std::uint32_t> interest_{0};
};

}  // namespace apsched::core::detail

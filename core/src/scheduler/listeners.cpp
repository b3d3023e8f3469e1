#include "scheduler/listeners.h"

#include <spdlog/spdlog.h>

namespace apsched::core::detail {

std::uint64_t Listeners::add(Listener listener, std::uint32_t mask) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_id_++;
  listeners_.emplace(id, Entry{std::move(listener), mask});
  return id;
}

void Listeners::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  listeners_.erase(id);
}

void Listeners::dispatch(const Event& event) const {
  std::vector<Listener> matching;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : listeners_)
      if (entry.mask & event.code) matching.push_back(entry.listener);
  }
  for (const auto& listener : matching) {
    try {
      listener(event);
    } catch (const std::exception& e) {
      spdlog::error("Error notifying listener of {}: {}", event_name(event.code), e.what());
    } catch (...) {
      spdlog::error("Error notifying listener of {}: unknown exception", event_name(event.code));
    }
  }
}

void Listeners::dispatch(const std::vector<Event>& events) const {
  for (const auto& event : events) dispatch(event);
}

}  // namespace apsched::core::detail

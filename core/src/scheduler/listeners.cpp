#include "scheduler/listeners.h"

#include <spdlog/spdlog.h>

namespace apsched::core::detail {

std::uint64_t Listeners::add(Listener listener, std::uint32_t mask) {
  std::lock_guard lock(mutex_);
  auto list = std::make_shared<List>(*listeners_);
  std::uint64_t id = next_id_++;
  list->push_back(Entry{id, std::move(listener), mask});
  publish(std::move(list));
  return id;
}

void Listeners::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto list = std::make_shared<List>(*listeners_);
  std::erase_if(*list, [id](const Entry& e) { return e.id == id; });
  publish(std::move(list));
}

void Listeners::publish(std::shared_ptr<const List> list) {
  std::uint32_t interest = 0;
  for (const auto& entry : *list) interest |= entry.mask;
  listeners_ = std::move(list);
  interest_.store(interest, std::memory_order_relaxed);
}

void Listeners::dispatch(const Event& event) const {
  if (!wants(event.code)) return;
  std::shared_ptr<const List> list;
  {
    std::lock_guard lock(mutex_);
    list = listeners_;
  }
  for (const auto& entry : *list) {
    if (!(entry.mask & event.code)) continue;
    try {
      entry.listener(event);
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

#include "scheduler/running_instances.h"

#include <algorithm>

namespace apsched::core::detail {

bool InstanceCount::take(int limit) noexcept {
  int running = running_.load(std::memory_order_relaxed);
  do {
    if (running >= limit) return false;
  } while (!running_.compare_exchange_weak(running, running + 1, std::memory_order_acq_rel));
  return true;
}

void InstanceCount::release() noexcept {
  int running = running_.load(std::memory_order_relaxed);
  do {
    if (running <= 0) return;
  } while (!running_.compare_exchange_weak(running, running - 1, std::memory_order_acq_rel));
}

std::shared_ptr<InstanceCount> RunningInstances::count_of(const std::string& job_id) {
  auto [it, added] = counts_.try_emplace(job_id);
  if (!added)
    if (std::shared_ptr<InstanceCount> live = it->second.lock()) return live;
  auto count = std::make_shared<InstanceCount>();
  it->second = count;
  if (counts_.size() >= sweep_at_) {
    std::erase_if(counts_, [](const auto& entry) { return entry.second.expired(); });
    sweep_at_ = std::max(kFirstSweep, 2 * counts_.size());
  }
  return count;
}

}  // namespace apsched::core::detail

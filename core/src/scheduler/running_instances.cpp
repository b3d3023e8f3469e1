#include "scheduler/running_instances.h"

#include <functional>

namespace apsched::core::detail {

RunningInstances::Shard& RunningInstances::shard_of(std::string_view job_id) {
  return shards_[std::hash<std::string_view>{}(job_id) % kShards];
}

bool RunningInstances::take(const std::string& job_id, int limit) {
  Shard& shard = shard_of(job_id);
  std::lock_guard lock(shard.mutex);
  int& running = shard.running[job_id];
  if (running >= limit) return false;
  ++running;
  return true;
}

void RunningInstances::release(const std::string& job_id) {
  Shard& shard = shard_of(job_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.running.find(job_id);
  if (it != shard.running.end() && --it->second <= 0) shard.running.erase(it);
}

}  // namespace apsched::core::detail

#include "scheduler/running_instances.h"

#include <functional>

namespace apsched::core::detail {

RunningInstances::Shard& RunningInstances::shard_of(std::string_view job_id) {
  return shards_[std::hash<std::string_view>{}(job_id) % kShards];
}

bool RunningInstances::take(const std::string& job_id, int limit) {
  Shard& shard = shard_of(job_id);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.running.find(job_id); it != shard.running.end()) {
    if (it->second >= limit) return false;
    ++it->second;
    return true;
  }
  if (limit < 1) return false;
  if (shard.spare.empty()) {
    shard.running.emplace(job_id, 1);
    return true;
  }
  Counts::node_type node = std::move(shard.spare.back());
  shard.spare.pop_back();
  node.key() = job_id;
  node.mapped() = 1;
  shard.running.insert(std::move(node));
  return true;
}

void RunningInstances::release(const std::string& job_id) {
  Shard& shard = shard_of(job_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.running.find(job_id);
  if (it == shard.running.end() || --it->second > 0) return;
  if (shard.spare.size() < kSpareNodes) shard.spare.push_back(shard.running.extract(it));
  else shard.running.erase(it);
}

}  // namespace apsched::core::detail

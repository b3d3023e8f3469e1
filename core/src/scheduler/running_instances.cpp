#include "scheduler/running_instances.h"

#include <functional>

namespace apsched::core::detail {

RunningInstances::HashedId RunningInstances::hashed(std::string_view job_id) noexcept {
  return {std::hash<std::string_view>{}(job_id), job_id};
}

bool RunningInstances::take(const std::string& job_id, int limit) {
  const HashedId key = hashed(job_id);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.running.find(key); it != shard.running.end()) {
    if (it->second >= limit) return false;
    ++it->second;
    return true;
  }
  if (limit < 1) return false;
  if (shard.spare.empty()) {
    shard.running.emplace(Key{key.hash, job_id}, 1);
    return true;
  }
  Counts::node_type node = std::move(shard.spare.back());
  shard.spare.pop_back();
  node.key().hash = key.hash;
  node.key().id = job_id;
  node.mapped() = 1;
  shard.running.insert(std::move(node));
  return true;
}

void RunningInstances::release(const std::string& job_id) {
  const HashedId key = hashed(job_id);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.running.find(key);
  if (it == shard.running.end() || --it->second > 0) return;
  if (shard.spare.size() < kSpareNodes) shard.spare.push_back(shard.running.extract(it));
  else shard.running.erase(it);
}

}  // namespace apsched::core::detail

#pragma once
#include <array>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace apsched::core::detail {

/**
 * Running submissions per job id, for max_instances. Split by id into shards, each with
 * its own mutex: runs of different jobs ending at once on many executor threads (a pool's
 * workers finishing short jobs) no longer queue up on one lock.
 * THREADING: any thread; a shard's mutex is held only inside these calls and no other
 * lock is taken under it (callers may hold the scheduler's lock around them).
 */
class RunningInstances {
 public:
  /** Counts one more running submission of `job_id` unless `limit` are running already. */
  bool take(const std::string& job_id, int limit);
  /** One submission of `job_id` is over. */
  void release(const std::string& job_id);

 private:
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, int> running;  // ids with at least one running submission
  };
  Shard& shard_of(std::string_view job_id);

  static constexpr std::size_t kShards = 64;
  std::array<Shard, kShards> shards_;
};

}  // namespace apsched::core::detail

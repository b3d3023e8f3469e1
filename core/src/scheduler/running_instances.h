#pragma once
#include <array>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  // An id with its hash, computed once per call for both the shard and the shard's map.
  struct HashedId {
    std::size_t hash;
    std::string_view id;
  };
  struct Key {
    std::size_t hash;
    std::string id;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const Key& key) const noexcept { return key.hash; }
    std::size_t operator()(const HashedId& key) const noexcept { return key.hash; }
  };
  struct KeyEqual {
    using is_transparent = void;
    bool operator()(const auto& a, const auto& b) const noexcept { return a.hash == b.hash && a.id == b.id; }
  };
  using Counts = std::unordered_map<Key, int, KeyHash, KeyEqual>;
  // A cache line each: the scheduler thread takes counts in one shard while pool workers
  // release them in others, and shards sharing a line would make each write evict the other's.
  struct alignas(64) Shard {
    std::mutex mutex;
    Counts running;                        // ids with at least one running submission
    std::vector<Counts::node_type> spare;  // nodes of ids whose runs ended, for take() to reuse
  };
  static HashedId hashed(std::string_view job_id) noexcept;
  Shard& shard_of(const HashedId& key) noexcept { return shards_[key.hash % kShards]; }

  static constexpr std::size_t kShards = 64;
  // Spare nodes kept per shard: a run then takes its count without an allocation (and its
  // end frees nothing on the executor's thread), as long as runs start as fast as they end.
  static constexpr std::size_t kSpareNodes = 32;
  std::array<Shard, kShards> shards_;
};

}  // namespace apsched::core::detail

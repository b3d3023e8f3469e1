#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

namespace apsched::core::detail {

/**
 * The running submissions of one job id, for max_instances. Shared by the job's RunSpecs
 * (see RunningInstances), so that a pass taking a count and an executor thread releasing
 * it at the end of a run look nothing up and take no lock.
 * THREADING: any thread (an atomic count).
 */
class InstanceCount {
 public:
  /** Counts one more running submission unless `limit` are running already. */
  bool take(int limit) noexcept;
  /** One submission is over (never below zero). */
  void release() noexcept;

 private:
  std::atomic<int> running_{0};
};

/**
 * The InstanceCount of each job id that has a live RunSpec. A RunSpec made for a job gets
 * the count its id's other live RunSpecs share (a run of the job's previous revision, or
 * of a job removed and added again, still going counts), else a new one: an id without a
 * live RunSpec has nothing running.
 * THREADING: the scheduler's lock (RunSpecs are made by passes and look aheads under it).
 */
class RunningInstances {
 public:
  std::shared_ptr<InstanceCount> count_of(const std::string& job_id);
  /** Ids remembered, some of them without a live RunSpec until the next sweep (for tests). */
  std::size_t size() const noexcept { return counts_.size(); }

 private:
  static constexpr std::size_t kFirstSweep = 1024;
  std::unordered_map<std::string, std::weak_ptr<InstanceCount>> counts_;
  // Size at which the ids without a live RunSpec are dropped: twice what was left at the
  // last sweep, so that sweeping costs O(1) per id.
  std::size_t sweep_at_ = kFirstSweep;
};

}  // namespace apsched::core::detail

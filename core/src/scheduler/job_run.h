#pragma once
#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "apsched/core/job.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/job.h"
#include "jobs/job_document.h"
#include "scheduler/run_memory.h"

namespace apsched::core::detail {

/** What a run reports back to its scheduler. Implemented by the scheduler core. */
class RunReporter {
 public:
  virtual ~RunReporter() = default;
  virtual Timestamp now() const = 0;
  virtual void run_missed(const std::string& job_id, const std::string& jobstore, Timestamp run_time,
                          Timestamp late_by, double grace_seconds) = 0;
  virtual void run_started(const std::string& job_id, Timestamp run_time) = 0;
  virtual void run_ended(const std::string& job_id, const std::string& jobstore, Timestamp run_time,
                         const sdk::JobOutcome& outcome) = 0;
  /** A run whose timeout was reported has really returned: its outcome is only logged. */
  virtual void run_returned_late(const std::string& job_id, Timestamp run_time, const sdk::JobOutcome& outcome) = 0;
  virtual void job_log(const std::string& job_id, sdk::LogLevel level, std::string_view message) = 0;
};

/**
 * The kernel's JobRun. LIFETIME: the reporter (scheduler core) outlives every run: the
 * scheduler shuts its executors down, which destroys their runs, before it goes away.
 * THREADING: as sdk::JobRun: end() may come from an executor's watchdog while invoke()
 * runs; everything but `timed_out_` is read-only after construction, and the RunSpec it
 * shares with its job and the job's other runs is immutable.
 */
class JobRunImpl final : public sdk::JobRun {
 public:
  JobRunImpl(RunReporter& reporter, std::shared_ptr<const RunSpec> spec, std::span<const Timestamp> run_times);
  ~JobRunImpl() override;

  // Made on the scheduler thread, destroyed on an executor's: see RunMemory.
  static void* operator new(std::size_t size) { return RunMemory::take(size); }
  static void operator delete(void* block) noexcept { RunMemory::give(block); }

  const std::string& job_id() const noexcept override { return spec_->job_id; }
  const std::string& func() const noexcept override { return spec_->func; }
  const Value& args() const noexcept override { return spec_->args; }
  const Value& kwargs() const noexcept override { return spec_->kwargs; }
  std::span<const Timestamp> run_times() const noexcept override {
    return {more_times_ ? more_times_.get() : inline_times_.data(), time_count_};
  }
  double timeout_seconds() const noexcept override { return spec_->timeout.value_or(0); }
  const std::string& library_file() const noexcept override;
  bool begin(Timestamp run_time) noexcept override;
  sdk::JobOutcome invoke(Timestamp run_time, const sdk::StopToken& stop) noexcept override;
  void end(Timestamp run_time, const sdk::JobOutcome& outcome) noexcept override;

 private:
  RunReporter& reporter_;
  const std::shared_ptr<const RunSpec> spec_;
  // The run times, inside the object when they fit (nearly every run has one): a run is
  // one allocation, made on the scheduler thread and freed on a worker. Its size also
  // keeps it out of glibc's fastbins (chunks of up to 128 bytes): small blocks that
  // workers freed into the scheduler thread's arena made each of that thread's larger
  // frees consolidate them all, a third of a pass over 100k one-shot jobs.
  static constexpr std::size_t kInlineTimes = 4;
  std::array<Timestamp, kInlineTimes> inline_times_{};
  std::unique_ptr<Timestamp[]> more_times_;  ///< all of them, when more than kInlineTimes
  std::size_t time_count_;

  // Guards timed_out_: the run time whose timeout end() has reported, so that the job's
  // real return for it is logged instead of reported a second time.
  std::mutex mutex_;
  std::optional<Timestamp> timed_out_;
};
static_assert(sizeof(JobRunImpl) > 120, "a run object stays out of glibc's fastbins (see inline_times_)");

}  // namespace apsched::core::detail

#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "apsched/core/job.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/job.h"
#include "jobs/job_document.h"

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
  JobRunImpl(RunReporter& reporter, std::shared_ptr<const RunSpec> spec, std::vector<Timestamp> run_times);
  ~JobRunImpl() override;

  const std::string& job_id() const noexcept override { return spec_->job_id; }
  const std::string& func() const noexcept override { return spec_->func; }
  const Value& args() const noexcept override { return spec_->args; }
  const Value& kwargs() const noexcept override { return spec_->kwargs; }
  const std::vector<Timestamp>& run_times() const noexcept override { return run_times_; }
  double timeout_seconds() const noexcept override { return spec_->timeout.value_or(0); }
  const std::string& library_file() const noexcept override;
  bool begin(Timestamp run_time) noexcept override;
  sdk::JobOutcome invoke(Timestamp run_time, const sdk::StopToken& stop) noexcept override;
  void end(Timestamp run_time, const sdk::JobOutcome& outcome) noexcept override;

 private:
  RunReporter& reporter_;
  const std::shared_ptr<const RunSpec> spec_;
  std::vector<Timestamp> run_times_;

  // Guards timed_out_: the run time whose timeout end() has reported, so that the job's
  // real return for it is logged instead of reported a second time.
  std::mutex mutex_;
  std::optional<Timestamp> timed_out_;
};

}  // namespace apsched::core::detail

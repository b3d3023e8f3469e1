#include "scheduler/job_run.h"

#include <algorithm>

namespace apsched::core::detail {
namespace {

class RunContext final : public sdk::JobContext {
 public:
  RunContext(RunReporter& reporter, const std::string& job_id, const Value& args, const Value& kwargs,
             Timestamp run_time, const sdk::StopToken& stop)
      : reporter_(reporter), job_id_(job_id), args_(args), kwargs_(kwargs), run_time_(run_time), stop_(stop) {}

  const std::string& job_id() const noexcept override { return job_id_; }
  const Value& args() const noexcept override { return args_; }
  const Value& kwargs() const noexcept override { return kwargs_; }
  Timestamp scheduled_run_time() const noexcept override { return run_time_; }
  bool stop_requested() const noexcept override { return stop_.stop_requested(); }
  void log(sdk::LogLevel level, std::string_view message) noexcept override {
    reporter_.job_log(job_id_, level, message);
  }

 private:
  RunReporter& reporter_;
  const std::string& job_id_;
  const Value& args_;
  const Value& kwargs_;
  Timestamp run_time_;
  const sdk::StopToken& stop_;
};

}  // namespace

JobRunImpl::JobRunImpl(RunReporter& reporter, std::shared_ptr<const RunSpec> spec,
                       std::span<const Timestamp> run_times)
    : reporter_(reporter), spec_(std::move(spec)), time_count_(run_times.size()) {
  if (run_times.size() > kInlineTimes) more_times_ = std::make_unique_for_overwrite<Timestamp[]>(run_times.size());
  std::copy(run_times.begin(), run_times.end(), more_times_ ? more_times_.get() : inline_times_.data());
}

JobRunImpl::~JobRunImpl() { spec_->instances->release(); }  // the submission is over

const std::string& JobRunImpl::library_file() const noexcept {
  static const std::string none;
  return spec_->function.library ? spec_->function.library->code_file.native() : none;
}

bool JobRunImpl::begin(Timestamp run_time) noexcept {
  // As APScheduler's run_job: lateness is judged when the run really starts.
  if (const GraceTime& grace = spec_->misfire_grace_time) {
    Timestamp late_by = reporter_.now() - run_time;
    if (static_cast<double>(late_by) > *grace * static_cast<double>(sdk::kMicrosPerSecond)) {
      reporter_.run_missed(spec_->job_id, spec_->jobstore, run_time, late_by, *grace);
      return false;
    }
  }
  reporter_.run_started(spec_->job_id, run_time);
  return true;
}

sdk::JobOutcome JobRunImpl::invoke(Timestamp run_time, const sdk::StopToken& stop) noexcept {
  RunContext context(reporter_, spec_->job_id, spec_->args, spec_->kwargs, run_time, stop);
  sdk::JobOutcome outcome;
  spec_->function.invoke(context, outcome);
  return outcome;
}

void JobRunImpl::end(Timestamp run_time, const sdk::JobOutcome& outcome) noexcept {
  bool late;
  {
    std::lock_guard lock(mutex_);
    late = timed_out_ == run_time;
    if (late) timed_out_.reset();
    else if (outcome.timed_out) timed_out_ = run_time;
  }
  if (late)
    reporter_.run_returned_late(spec_->job_id, run_time, outcome);
  else
    reporter_.run_ended(spec_->job_id, spec_->jobstore, run_time, outcome);
}

}  // namespace apsched::core::detail

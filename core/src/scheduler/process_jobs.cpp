// One scheduler pass (APScheduler's _process_jobs) and what runs report back.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "scheduler/events_util.h"
#include "scheduler/freed_memory.h"
#include "scheduler/log_level.h"
#include "scheduler/scheduler_core.h"

namespace apsched::core::detail {
namespace {

// A lease outlives any pass; it only matters if this process dies mid-pass, and then
// the same instance takes its jobs back at once (its own leases never block it).
constexpr Timestamp kLeaseMicros = 60 * sdk::kMicrosPerSecond;
// How soon to try a store again after it failed.
constexpr Timestamp kStoreRetryMicros = 5 * sdk::kMicrosPerSecond;

void keep_earliest(std::optional<Timestamp>& earliest, std::optional<Timestamp> candidate) {
  if (candidate && (!earliest || *candidate < *earliest)) earliest = candidate;
}

std::string seconds_text(double seconds) {
  std::string text = std::to_string(seconds);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

/**
 * The calling thread's pass buffers, marked in use until this is destroyed, which empties
 * them. A pass started within a pass (by a job run inline, or a listener) gets its own.
 */
class ThreadPassBuffers {
 public:
  ThreadPassBuffers() : buffers_(kept().in_use ? own_ : kept()) { buffers_.in_use = true; }
  ~ThreadPassBuffers() {
    buffers_.steps.clear();
    buffers_.statuses.clear();
    buffers_.by_executor.clear();
    buffers_.in_use = false;
  }
  ThreadPassBuffers(const ThreadPassBuffers&) = delete;
  ThreadPassBuffers& operator=(const ThreadPassBuffers&) = delete;
  PassBuffers& get() noexcept { return buffers_; }

 private:
  static PassBuffers& kept() {
    thread_local PassBuffers buffers;
    return buffers;
  }
  PassBuffers own_;
  PassBuffers& buffers_;
};

}  // namespace

std::optional<Timestamp> SchedulerCore::process_due_jobs() {
  ThreadPassBuffers buffers;
  std::vector<Step>& steps = buffers.get().steps;
  std::vector<Event> stored;
  std::optional<Timestamp> next_wakeup;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::running) return std::nullopt;
    Timestamp now = clock_->now();
    if (!pending_.empty()) {
      store_pending(stored);
      if (!pending_.empty()) keep_earliest(next_wakeup, now + kStoreRetryMicros);
    }
    for (auto& [alias, entry] : stores_) {
      try {
        process_store(alias, now, steps);
        std::optional<Timestamp> earliest;
        sdk::Status status = store(alias).earliest_run_time(now, instance_id_, earliest);
        if (!status.ok()) throw SchedulerError(status.message);
        keep_earliest(next_wakeup, earliest);
      } catch (const std::exception& e) {
        spdlog::error("Job store '{}' failed: {}; trying again in {} s", alias, e.what(),
                      kStoreRetryMicros / sdk::kMicrosPerSecond);
        keep_earliest(next_wakeup, now + kStoreRetryMicros);
      }
    }
    planned_wakeup_ = next_wakeup;
  }
  listeners_.dispatch(stored);
  perform(buffers.get());
  return next_wakeup;
}

void SchedulerCore::retire(StoreEntry& entry, CachedJob* cached) {
  if (cached == nullptr) return;
  if (retired_.size() < look_ahead_most()) retired_.push_back(entry.decoded.take(*cached));
  else entry.decoded.erase(*cached);
}

void SchedulerCore::drop_retired_jobs() {
  std::vector<DecodedJobs::Taken> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(retired_);
  }
  const std::size_t jobs = dropped.size();
  dropped.clear();
  dropped.shrink_to_fit();
  release_freed_memory(jobs, options_.release_freed_memory);
}

sdk::Held SchedulerCore::held(const CachedJob* cached, std::uint64_t revision,
                              std::optional<Timestamp> next_run_time) {
  if (cached == nullptr || !cached->value.decoded_from(revision)) return sdk::Held::nothing;
  const std::optional<Timestamp>& last = cached->value.last_run_at;
  return last && last == next_run_time ? sdk::Held::last_run : sdk::Held::decoded;
}

void SchedulerCore::put_back(sdk::JobStore& jobs, const std::string& alias, const std::string& id, LoadedJob* job) {
  sdk::Status status;
  if (job == nullptr) {
    status = {sdk::Code::internal, "the scheduler does not hold it decoded (a bug: please report it)", {}};
  } else {
    describe_trigger(*job);  // the document carries the trigger's state
    status = jobs.add(job_record(*job));
  }
  if (!status.ok())
    spdlog::error("Job '{}' was handed over by job store '{}' for its last run, which cannot happen now, and could "
                  "not be stored again: it is lost ({}); add it again",
                  id, alias, status.message);
}

void SchedulerCore::due_run_times(LoadedJob& job, Timestamp now, std::vector<Timestamp>& times) const {
  times.clear();
  std::optional<Timestamp> next = job.info.next_run_time;
  while (next && *next <= now) {
    if (job.info.coalesce) times.assign(1, *next);
    else times.push_back(*next);
    std::optional<Timestamp> following = job.trigger->next_fire_time(next, now);
    if (following && *following <= *next) {
      spdlog::error("Trigger {} of job '{}' returned {} after {}: fire times must increase; skipping ahead",
                    job.trigger->describe(), job.info.id, sdk::format_datetime(*following, timezone_),
                    sdk::format_datetime(*next, timezone_));
      following = job.trigger->next_fire_time(std::nullopt, now + 1);
    }
    next = following;
  }
}

const std::vector<sdk::JobRecord>& SchedulerCore::acquire_batch(sdk::JobStore& jobs, StoreEntry& entry,
                                                                 Timestamp now) {
  std::size_t& batch = entry.batch;
  std::vector<sdk::JobRecord>& due = pass_due_;
  due.clear();
  // Room for the whole batch, made before the store hands it over: a job the store
  // removes at hand-over (`taken`) must still be here when the pass gets to it.
  DecodedJobs& cache = entry.decoded;
  if (cache.size() + batch > decoded_jobs_kept()) cache.clear();
  // Called by the store under its lock; reads entry.decoded, which this pass owns (mutex_ held).
  sdk::KnownRevision known = [&cache](std::string_view id, std::uint64_t revision,
                                      std::optional<Timestamp> next_run_time) {
    return held(cache.find(id), revision, next_run_time);
  };
  sdk::Status status = jobs.acquire_due(now, sdk::Lease{instance_id_, now + kLeaseMicros}, batch, known, due);
  if (!status.ok()) throw SchedulerError(status.message);
  batch = due.size() == batch ? std::min(2 * batch, StoreEntry::kLargestBatch) : StoreEntry::kFirstBatch;
  return due;
}

void SchedulerCore::process_store(const std::string& alias, Timestamp now, std::vector<Step>& steps) {
  sdk::JobStore& jobs = store(alias);
  StoreEntry& entry = stores_.at(alias);
  const std::vector<sdk::JobRecord>& due = acquire_batch(jobs, entry, now);
  std::vector<sdk::Release>& releases = pass_releases_;
  releases.clear();
  if (due.empty()) return;

  std::vector<std::string> parked;
  const std::size_t first_step = steps.size();
  steps.reserve(first_step + due.size());
  // Made once for the batch: constructing and destroying a LoadedJob per job was 6% of a pass.
  LoadedJob fresh;  // holds a job decoded for one run only
  auto executor = executors_.end();  // the last job's, looked up again only when a job names another
  // Nothing of this store's batch may run unless the store records the new run times
  // (see below); the runs are dropped by perform(), which releases their instance counts.
  // A taken job is no longer in the store: its last run goes ahead.
  auto cancel_batch = [&steps, first_step] {
    for (std::size_t i = first_step; i < steps.size(); ++i) steps[i].cancelled = !steps[i].taken;
  };
  try {
    for (const sdk::JobRecord& record : due) {
      const std::string& id = record.id;
      CachedJob* cached = entry.decoded.find(id);  // found by `known` a moment ago: in the CPU's caches
      LoadedJob* job = nullptr;
      try {
        job = &decoded(entry, cached, record, alias, fresh);
        if (executor == executors_.end() || executor->first != job->info.executor) {
          executor = executors_.find(job->info.executor);
          if (executor == executors_.end())
            throw SchedulerError("its executor '" + job->info.executor + "' does not exist");
        }
        prepare_runs(*job);
      } catch (const std::exception& e) {
        note_waiting(id, e.what());
        parked.push_back(id);
        if (record.taken)
          put_back(jobs, alias, id, job);  // kept, so that it waits like any other
        else
          releases.push_back(sdk::Release{id, record.next_run_time, false});  // unchanged, for the waiting lease below
        continue;
      }
      clear_waiting(id);

      Step& step = steps.emplace_back();
      plan_run(step, *job, record, executor->second, alias, now);
      if (job->info.next_run_time) {
        releases.push_back(sdk::Release{job->info.id, job->info.next_run_time, false});
      } else {
        if (!record.taken) releases.push_back(sdk::Release{id, std::nullopt, true});
        spdlog::info("Removed job {}: its trigger has no fire time left", id);
        if (listeners_.wants(EVENT_JOB_REMOVED)) step.after.push_back(job_event(EVENT_JOB_REMOVED, id, alias));
        retire(entry, cached);  // *job is gone from the cache
      }
    }
  } catch (...) {  // only an allocation can fail here: decoding errors are caught above
    cancel_batch();
    throw;
  }

  sdk::Status status = jobs.release(instance_id_, releases);
  if (!status.ok()) {
    // The new run times were not recorded: run nothing now, so nothing runs twice; the
    // jobs stay due and are taken again on the next pass.
    cancel_batch();
    throw SchedulerError("could not record the next run times (" + status.message + "); the due runs will be retried");
  }
  if (!parked.empty()) {
    Timestamp retry = now + static_cast<Timestamp>(options_.waiting_retry_seconds * sdk::kMicrosPerSecond);
    status = jobs.hold(parked, sdk::Lease{waiting_owner(), retry});
    if (!status.ok()) spdlog::error("Job store '{}' could not park waiting jobs: {}", alias, status.message);
  }
  pass_due_.clear();  // drops the documents now; the capacity stays for the next pass
}

void SchedulerCore::plan_run(Step& step, LoadedJob& job, const sdk::JobRecord& record, const ExecutorPtr& executor,
                             const std::string& alias, Timestamp now) {
  step.taken = record.taken;
  // A taken job's trigger was asked ahead: this run is its last.
  std::vector<Timestamp>& run_times = pass_run_times_;
  if (record.taken) run_times.assign(1, *record.next_run_time);
  else due_run_times(job, now, run_times);
  if (run_times.empty()) return;
  const Timestamp last = run_times.back();
  if (!job.run->instances->take(job.info.max_instances)) {
    spdlog::warn("Execution of job \"{}\" skipped: maximum number of running instances reached ({})", job.info.id,
                 job.info.max_instances);
    Event e = job_event(EVENT_JOB_MAX_INSTANCES, job.info.id, alias);
    e.scheduled_run_times = run_times;
    step.after.push_back(std::move(e));
  } else {
    step.executor = executor;
    step.spec = job.run;
    if (listeners_.wants(EVENT_JOB_SUBMITTED)) {
      step.submitted = std::make_unique<Event>(job_event(EVENT_JOB_SUBMITTED, job.info.id, alias));
      step.submitted->scheduled_run_times = run_times;
    }
    step.run = std::make_unique<JobRunImpl>(*this, job.run, run_times);
  }
  job.info.next_run_time = record.taken ? std::nullopt : job.trigger->next_fire_time(last, now);
}

void SchedulerCore::prepare_runs(LoadedJob& job) {
  // Read before resolving: a library changed meanwhile makes the next run resolve again.
  const std::uint64_t generation = libraries_.generation();
  if (job.run_generation == generation) return;
  const Job& info = job.info;
  job.run = std::make_shared<const RunSpec>(RunSpec{info.id, instances_.count_of(info.id), info.jobstore, info.executor,
                                                    info.func, info.args, info.kwargs, info.misfire_grace_time,
                                                    info.timeout, libraries_.resolve(info.func)});
  job.run_generation = generation;
}

LoadedJob& SchedulerCore::decoded(StoreEntry& entry, CachedJob*& it, const sdk::JobRecord& record,
                                  const std::string& alias, LoadedJob& fresh) {
  if (it != nullptr && it->value.decoded_from(record.revision)) {
    it->value.job.info.next_run_time = record.next_run_time;
    return it->value.job;
  }
  // Decoding in a pass: destroy a retired job first, so that the new one reuses its
  // memory (fresh pages cost a page fault each, more than the destruction saves).
  if (!retired_.empty()) retired_.pop_back();
  LoadedJob job = decode_job(record, alias, catalog_, host_);
  if (record.revision == 0) {
    // The store cannot say when this document changes: keeping the job would only cost memory.
    if (it != nullptr) {
      entry.decoded.erase(*it);
      it = nullptr;
    }
    fresh = std::move(job);
    return fresh;
  }
  if (it == nullptr) {
    if (entry.decoded.size() >= decoded_jobs_kept()) {  // no room until the next pass makes some
      fresh = std::move(job);
      return fresh;
    }
    it = &entry.decoded.add(record.id);
  }
  it->value = DecodedJob{record.revision, std::move(job)};
  return it->value.job;
}

void SchedulerCore::perform(PassBuffers& buffers) {
  std::vector<Step>& steps = buffers.steps;
  // Each executor gets its runs of the pass at once (one lock and one wake-up for all).
  auto& by_executor = buffers.by_executor;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Step& step = steps[i];
    if (step.cancelled) step.run.reset();
    if (!step.run) continue;
    auto group = std::find_if(by_executor.begin(), by_executor.end(),
                              [&](const auto& entry) { return entry.first == step.executor; });
    if (group == by_executor.end()) group = by_executor.insert(by_executor.end(), {step.executor, {}});
    group->second.push_back(i);
  }
  for (auto& [executor, indices] : by_executor) {
    std::vector<std::unique_ptr<sdk::JobRun>> runs;
    runs.reserve(indices.size());
    for (std::size_t i : indices) runs.push_back(std::move(steps[i].run));
    std::vector<sdk::Status>& statuses = buffers.statuses;
    statuses.clear();
    (*executor)->submit_all(std::move(runs), statuses);
    for (std::size_t k = 0; k < indices.size(); ++k) {
      if (k < statuses.size() && statuses[k].ok()) continue;
      Step& step = steps[indices[k]];
      step.submitted.reset();  // not submitted: no event says it was
      spdlog::error("Error submitting job \"{}\" to executor \"{}\": {}", step.spec->job_id, step.spec->executor,
                    k < statuses.size() ? statuses[k].message
                                        : "the executor's submit_all gave no status for this run (a bug in the "
                                          "executor plugin)");
    }
  }
  for (Step& step : steps) {
    if (step.submitted && !step.cancelled) listeners_.dispatch(*step.submitted);
    listeners_.dispatch(step.after);
  }
}

void SchedulerCore::note_waiting(const std::string& id, const std::string& reason) {
  auto [it, added] = waiting_.try_emplace(id, reason);
  if (!added && it->second == reason) return;
  it->second = reason;
  spdlog::warn("Job '{}' cannot run now and waits (it is kept, never deleted): {}; retrying every {} s", id, reason,
               seconds_text(options_.waiting_retry_seconds));
}

void SchedulerCore::clear_waiting(const std::string& id) {
  if (!waiting_.empty() && waiting_.erase(id)) spdlog::info("Job '{}' can run again", id);
}

void SchedulerCore::run_missed(const std::string& job_id, const std::string& jobstore, Timestamp run_time,
                               Timestamp late_by, double grace_seconds) {
  spdlog::warn(
      "Run time of job \"{}\" ({}) was missed by {}: it may start at most misfire_grace_time={} s late. "
      "Raise misfire_grace_time for this job (or set it to null for no limit) to let late runs happen",
      job_id, sdk::format_datetime(run_time, timezone_), sdk::format_duration(late_by), seconds_text(grace_seconds));
  if (!listeners_.wants(EVENT_JOB_MISSED)) return;
  Event e = job_event(EVENT_JOB_MISSED, job_id, jobstore);
  e.scheduled_run_time = run_time;
  listeners_.dispatch(e);
}

void SchedulerCore::run_started(const std::string& job_id, Timestamp run_time) {
  if (!spdlog::should_log(spdlog::level::info)) return;  // spare formatting the time
  spdlog::info("Running job \"{}\" (scheduled at {})", job_id, sdk::format_datetime(run_time, timezone_));
}

void SchedulerCore::run_ended(const std::string& job_id, const std::string& jobstore, Timestamp run_time,
                              const sdk::JobOutcome& outcome) {
  if (outcome.ok)
    spdlog::info("Job \"{}\" executed successfully", job_id);
  else if (outcome.timed_out)
    spdlog::error("Job \"{}\" timed out: {}", job_id, outcome.error_message);
  else
    spdlog::error("Job \"{}\" raised an exception: {}: {}", job_id, outcome.error_type, outcome.error_message);
  EventCode code = outcome.ok ? EVENT_JOB_EXECUTED : EVENT_JOB_ERROR;
  if (!listeners_.wants(code)) return;
  Event e = job_event(code, job_id, jobstore);
  e.scheduled_run_time = run_time;
  e.retval = outcome.retval;
  e.exception_type = outcome.error_type;
  e.exception_message = outcome.error_message;
  e.timed_out = outcome.timed_out;
  listeners_.dispatch(e);
}

void SchedulerCore::run_returned_late(const std::string& job_id, Timestamp run_time, const sdk::JobOutcome& outcome) {
  std::string result =
      outcome.ok ? "executed successfully" : "raised an exception: " + outcome.error_type + ": " + outcome.error_message;
  spdlog::warn("Job \"{}\" (scheduled at {}) returned after its timeout was reported and {}; not reported again",
               job_id, sdk::format_datetime(run_time, timezone_), result);
}

void SchedulerCore::job_log(const std::string& job_id, sdk::LogLevel level, std::string_view message) {
  spdlog::log(to_spdlog(level), "[job {}] {}", job_id, message);
}

}  // namespace apsched::core::detail

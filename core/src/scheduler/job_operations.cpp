// Adding, changing, removing and listing jobs.
#include <algorithm>
#include <iterator>
#include <random>

#include <spdlog/spdlog.h>

#include "scheduler/events_util.h"
#include "scheduler/scheduler_core.h"

namespace apsched::core::detail {
namespace {

std::string random_job_id() {
  static std::mutex mutex;  // guards engine
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mutex);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return buf;
}

void check_max_instances(int value) {
  if (value < 1) throw SchedulerError("max_instances must be at least 1, got " + std::to_string(value), "max_instances");
}

void check_grace(const GraceTime& grace) {
  if (grace && *grace <= 0)
    throw SchedulerError("misfire_grace_time must be positive (seconds), or null for no limit", "misfire_grace_time");
}

void check_timeout(const Timeout& timeout) {
  if (timeout && !(*timeout > 0))
    throw SchedulerError("timeout must be a positive number of seconds, or null for no limit", "timeout");
}

/** Prefixes a trigger plugin's field with "trigger." so that it maps to the config. */
[[noreturn]] void rethrow_trigger_error(const SchedulerError& e) {
  std::string field = e.field().empty() ? "trigger" : "trigger." + e.field();
  if (dynamic_cast<const LoadError*>(&e)) throw LoadError(e.what(), field);
  throw SchedulerError(e.what(), field);
}

}  // namespace

JobFunction SchedulerCore::resolve_function(const std::string& reference) {
  try {
    return libraries_.resolve(reference);
  } catch (const LoadError& e) {
    throw LoadError(e.what(), "func");  // every failure to load it is about the job's func
  }
}

LoadedJob SchedulerCore::build_job(const JobSpec& spec) {
  LoadedJob job;
  Job& j = job.info;
  const JobDefaults& defaults = options_.job_defaults;
  j.func = spec.func;
  resolve_function(spec.func);  // refuses a malformed reference: past it, there is one ':'
  j.id = spec.id ? *spec.id : random_job_id();
  if (j.id.empty()) throw SchedulerError("a job id must not be empty", "id");
  j.name = spec.name ? *spec.name : spec.func.substr(spec.func.find(':') + 1);
  if (!spec.args.is_list()) throw SchedulerError("args must be a list", "args");
  if (!spec.kwargs.is_map()) throw SchedulerError("kwargs must be a mapping", "kwargs");
  j.args = spec.args;
  j.kwargs = spec.kwargs;
  j.executor = spec.executor;
  j.jobstore = spec.jobstore;
  j.coalesce = spec.coalesce.value_or(defaults.coalesce);
  j.max_instances = spec.max_instances.value_or(defaults.max_instances);
  check_max_instances(j.max_instances);
  j.misfire_grace_time = spec.misfire_grace_time.value_or(defaults.misfire_grace_time);
  check_grace(j.misfire_grace_time);
  j.timeout = spec.timeout.value_or(defaults.timeout);
  check_timeout(j.timeout);
  try {
    job.trigger = TriggerHandle::create(catalog_, spec.trigger.config, host_);
  } catch (const SchedulerError& e) {
    rethrow_trigger_error(e);
  }
  job.trigger_source = spec.trigger.config;
  describe_trigger(job);
  if (spec.next_run_time) j.next_run_time = *spec.next_run_time;
  return job;
}

Job SchedulerCore::add_job(const JobSpec& spec) {
  PendingJob pending{build_job(spec), spec.replace_existing, spec.next_run_time.has_value(), {}};
  std::vector<Event> events;
  std::unique_lock lock(mutex_);
  if (state_ == State::stopped) return keep_pending(std::move(pending));
  Job added = std::move(store_job(pending, events));
  LoopNotice notice = notice_for(added.next_run_time);
  lock.unlock();
  listeners_.dispatch(events);
  tell_loop(notice);
  return added;
}

Job SchedulerCore::keep_pending(PendingJob&& pending) {
  // As APScheduler: kept until start(), then stored.
  bool maybe_taken = !pending_ids_.insert(pending.job.info.id).second;
  for (auto it = pending_.begin(); maybe_taken && it != pending_.end(); ++it) {
    if (it->job.info.id != pending.job.info.id) continue;
    if (!pending.replace_existing)
      throw ConflictingIdError("job id '" + pending.job.info.id +
                                   "' is already used by a pending job: choose another id or set replace_existing",
                               "id");
    pending_.erase(it);
    break;
  }
  Job added = pending.job.info;
  added.pending = true;
  pending_.push_back(std::move(pending));
  return added;
}

Job& SchedulerCore::store_job(PendingJob& pending, std::vector<Event>& events) {
  LoadedJob& job = pending.job;
  Job& j = job.info;
  if (!executors_.count(j.executor)) {
    std::string known;
    for (const auto& [alias, e] : executors_) known += (known.empty() ? "" : ", ") + alias;
    throw SchedulerError("job '" + j.id + "' names executor '" + j.executor + "', which does not exist (executors: " +
                             known + ")",
                         "executor");
  }
  sdk::JobStore& target = store(j.jobstore);
  if (!pending.next_run_time_given) j.next_run_time = job.trigger->next_fire_time(std::nullopt, clock_->now());

  std::optional<sdk::JobRecord> existing;
  if (pending.replace_existing) {
    sdk::Status status = target.get(j.id, existing);
    if (!status.ok()) throw SchedulerError("job store '" + j.jobstore + "' failed: " + status.message);
  }
  if (existing && existing->decode_error.empty() && !pending.next_run_time_given) {
    // Same trigger as before: keep its schedule state instead of starting it over.
    const Value* source = existing->document.find("trigger_source");
    const Value* state = existing->document.find("trigger");
    if (source && state && *source == job.trigger_source) {
      try {
        job.trigger = TriggerHandle::create(catalog_, *state, host_);
        describe_trigger(job);
        j.next_run_time = existing->next_run_time;
      } catch (const std::exception& e) {
        spdlog::warn("Job '{}': the stored trigger state cannot be restored ({}); starting its schedule over", j.id,
                     e.what());
      }
    }
  }

  sdk::JobRecord record = job_record(job);
  sdk::Status status = existing ? target.update(record) : target.add(record);
  if (status.code == sdk::Code::already_exists)
    throw ConflictingIdError("job id '" + j.id + "' is already used in job store '" + j.jobstore +
                                 "': choose another id or set replace_existing",
                             "id");
  if (!status.ok()) throw SchedulerError("job store '" + j.jobstore + "' could not store job '" + j.id + "': " + status.message);
  spdlog::info("Added job \"{}\" ({}) to job store \"{}\"", j.id, j.name, j.jobstore);
  if (!j.next_run_time && !pending.next_run_time_given)
    spdlog::warn("Job \"{}\" has no fire time from now on ({}): it is stored paused (as APScheduler does); give it "
                 "another trigger, or remove it",
                 j.id, j.trigger_description);
  if (listeners_.wants(EVENT_JOB_ADDED)) events.push_back(job_event(EVENT_JOB_ADDED, j.id, j.jobstore));
  return j;
}

sdk::JobStore& SchedulerCore::store(const std::string& alias) {
  auto it = stores_.find(alias);
  if (it == stores_.end()) {
    std::string known;
    for (const auto& [name, s] : stores_) known += (known.empty() ? "" : ", ") + name;
    throw SchedulerError("no job store named '" + alias + "' (job stores: " + (known.empty() ? "none" : known) + ")",
                         "jobstore");
  }
  StoreEntry& entry = it->second;
  if (!entry.started) {
    sdk::Status status = (*entry.store)->start();
    if (!status.ok()) throw SchedulerError("job store '" + alias + "' could not start: " + status.message);
    entry.started = true;
  }
  return **entry.store;
}

std::vector<std::string> SchedulerCore::store_aliases(const std::string& only) {
  if (!only.empty()) {
    store(only);
    return {only};
  }
  std::vector<std::string> aliases;
  for (const auto& [alias, s] : stores_) aliases.push_back(alias);
  return aliases;
}

SchedulerCore::Found SchedulerCore::find_job(const std::string& id, const std::string& jobstore) {
  for (const auto& alias : store_aliases(jobstore)) {
    std::optional<sdk::JobRecord> record;
    sdk::Status status = store(alias).get(id, record);
    if (!status.ok()) throw SchedulerError("job store '" + alias + "' failed: " + status.message);
    if (!record) continue;
    try {
      LoadedJob job = decode_job(*record, alias, catalog_, host_);
      describe_trigger(job);
      return Found{alias, std::move(job)};
    } catch (const std::exception& e) {
      throw SchedulerError("job '" + id + "' in job store '" + alias + "' cannot be restored: " + e.what() +
                           " (it is kept; fix the cause or remove the job)");
    }
  }
  throw JobLookupError("no job with id '" + id + "'" + (jobstore.empty() ? "" : " in job store '" + jobstore + "'"),
                       "id");
}

Job SchedulerCore::update_job(Found& found, std::vector<Event>& events) {
  sdk::Status status = store(found.jobstore).update(job_record(found.job));
  if (!status.ok())
    throw SchedulerError("job store '" + found.jobstore + "' could not update job '" + found.job.info.id +
                         "': " + status.message);
  if (listeners_.wants(EVENT_JOB_MODIFIED))
    events.push_back(job_event(EVENT_JOB_MODIFIED, found.job.info.id, found.jobstore));
  return found.job.info;
}

void SchedulerCore::apply_changes(LoadedJob& job, const JobChanges& c) {
  Job& j = job.info;
  if (c.func) {
    resolve_function(*c.func);
    j.func = *c.func;
  }
  if (c.name) j.name = *c.name;
  if (c.args) {
    if (!c.args->is_list()) throw SchedulerError("args must be a list", "args");
    j.args = *c.args;
  }
  if (c.kwargs) {
    if (!c.kwargs->is_map()) throw SchedulerError("kwargs must be a mapping", "kwargs");
    j.kwargs = *c.kwargs;
  }
  if (c.executor) j.executor = *c.executor;
  if (c.coalesce) j.coalesce = *c.coalesce;
  if (c.max_instances) {
    check_max_instances(*c.max_instances);
    j.max_instances = *c.max_instances;
  }
  if (c.misfire_grace_time) {
    check_grace(*c.misfire_grace_time);
    j.misfire_grace_time = *c.misfire_grace_time;
  }
  if (c.timeout) {
    check_timeout(*c.timeout);
    j.timeout = *c.timeout;
  }
  if (c.next_run_time) j.next_run_time = *c.next_run_time;
}

Job SchedulerCore::change_job(const std::string& id, const std::string& jobstore,
                              const std::function<bool(LoadedJob&)>& change) {
  std::vector<Event> events;
  Job result;
  LoopNotice notice = LoopNotice::none;
  {
    std::lock_guard lock(mutex_);
    if (PendingJob* pending = find_pending(id, jobstore)) {
      if (change(pending->job)) pending->next_run_time_given = true;
      result = pending->job.info;
      result.pending = true;
    } else {
      Found found = find_job(id, jobstore);
      change(found.job);
      result = update_job(found, events);
    }
    notice = notice_for(result.next_run_time);
  }
  listeners_.dispatch(events);
  tell_loop(notice);
  return result;
}

SchedulerCore::PendingJob* SchedulerCore::find_pending(const std::string& id, const std::string& jobstore) {
  for (auto& p : pending_)
    if (p.job.info.id == id && (jobstore.empty() || p.job.info.jobstore == jobstore)) return &p;
  return nullptr;
}

Job SchedulerCore::modify_job(const std::string& id, const JobChanges& changes, const std::string& jobstore) {
  return change_job(id, jobstore, [&](LoadedJob& job) {
    apply_changes(job, changes);
    return changes.next_run_time.has_value();
  });
}

Job SchedulerCore::reschedule_job(const std::string& id, const TriggerSpec& trigger, const std::string& jobstore) {
  std::unique_ptr<TriggerHandle> handle;
  try {
    handle = TriggerHandle::create(catalog_, trigger.config, host_);
  } catch (const SchedulerError& e) {
    rethrow_trigger_error(e);
  }
  return change_job(id, jobstore, [&](LoadedJob& job) {
    job.info.next_run_time = handle->next_fire_time(std::nullopt, clock_->now());
    job.trigger = std::move(handle);
    job.trigger_source = trigger.config;
    describe_trigger(job);
    return true;
  });
}

Job SchedulerCore::pause_job(const std::string& id, const std::string& jobstore) {
  JobChanges changes;
  changes.next_run_time = std::optional<Timestamp>{};
  return modify_job(id, changes, jobstore);
}

Job SchedulerCore::resume_job(const std::string& id, const std::string& jobstore) {
  std::optional<Timestamp> next;
  {
    std::lock_guard lock(mutex_);
    if (PendingJob* pending = find_pending(id, jobstore))
      next = pending->job.trigger->next_fire_time(std::nullopt, clock_->now());
    else
      next = find_job(id, jobstore).job.trigger->next_fire_time(std::nullopt, clock_->now());
  }
  if (!next) {
    // As APScheduler: a job whose trigger has no time left is removed on resume.
    Job last = *get_job(id, jobstore);
    remove_job(id, jobstore);
    return last;
  }
  JobChanges changes;
  changes.next_run_time = next;
  return modify_job(id, changes, jobstore);
}

void SchedulerCore::remove_job(const std::string& id, const std::string& jobstore) {
  std::vector<Event> events;
  {
    std::lock_guard lock(mutex_);
    std::optional<std::string> removed_from;  // the alias of the job's store, once found
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->job.info.id != id || (!jobstore.empty() && it->job.info.jobstore != jobstore)) continue;
      removed_from = it->job.info.jobstore;
      pending_.erase(it);
      break;
    }
    if (!removed_from) {
      for (const auto& alias : store_aliases(jobstore)) {
        sdk::Status status = store(alias).remove(id);
        if (status.code == sdk::Code::not_found) continue;
        if (!status.ok()) throw SchedulerError("job store '" + alias + "' could not remove job '" + id + "': " + status.message);
        waiting_.erase(id);
        removed_from = alias;
        break;
      }
    }
    if (!removed_from)
      throw JobLookupError("no job with id '" + id + "'" + (jobstore.empty() ? "" : " in job store '" + jobstore + "'"),
                           "id");
    if (listeners_.wants(EVENT_JOB_REMOVED)) events.push_back(job_event(EVENT_JOB_REMOVED, id, *removed_from));
  }
  spdlog::info("Removed job {}", id);
  listeners_.dispatch(events);
  notify_wakeup();
}

void SchedulerCore::remove_all_jobs(const std::string& jobstore) {
  {
    std::lock_guard lock(mutex_);
    std::erase_if(pending_, [&](const PendingJob& p) { return jobstore.empty() || p.job.info.jobstore == jobstore; });
    if (pending_.empty()) pending_ids_.clear();
    if (state_ != State::stopped)
      for (const auto& alias : store_aliases(jobstore)) {
        sdk::Status status = store(alias).remove_all();
        if (!status.ok()) throw SchedulerError("job store '" + alias + "' could not remove its jobs: " + status.message);
      }
    waiting_.clear();
  }
  listeners_.dispatch(alias_event(EVENT_ALL_JOBS_REMOVED, jobstore));
  notify_wakeup();
}

std::string SchedulerCore::problem_of(const Job& job) {
  if (auto w = waiting_.find(job.id); w != waiting_.end()) return w->second;
  try {
    libraries_.resolve(job.func);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

Job SchedulerCore::snapshot(const sdk::JobRecord& record, const std::string& alias) {
  try {
    LoadedJob job = decode_job(record, alias, catalog_, host_);
    describe_trigger(job, record.document.find("trigger"));
    job.info.problem = problem_of(job.info);
    return std::move(job.info);
  } catch (const std::exception& e) {
    return unrestorable_job(record, alias, e.what());
  }
}

void SchedulerCore::list_store(const std::string& alias, std::vector<Job>& jobs) {
  sdk::JobStore& jobstore = store(alias);
  std::size_t expected = 0;
  sdk::Status status = jobstore.count(expected);
  if (!status.ok()) throw SchedulerError("job store '" + alias + "' could not count its jobs: " + status.message);
  jobs.reserve(jobs.size() + expected);
  // One record at a time: its document is freed before the next is read.
  status = jobstore.list_each([&](sdk::JobRecord& record) { jobs.push_back(snapshot(record, alias)); });
  if (!status.ok()) throw SchedulerError("job store '" + alias + "' could not list its jobs: " + status.message);
}

std::optional<Job> SchedulerCore::get_job(const std::string& id, const std::string& jobstore) {
  std::lock_guard lock(mutex_);
  if (PendingJob* pending = find_pending(id, jobstore)) {
    Job j = pending->job.info;
    j.pending = true;
    return j;
  }
  for (const auto& alias : store_aliases(jobstore)) {
    std::optional<sdk::JobRecord> record;
    sdk::Status status = store(alias).get(id, record);
    if (!status.ok()) throw SchedulerError("job store '" + alias + "' failed: " + status.message);
    if (record) return snapshot(*record, alias);
  }
  return std::nullopt;
}

std::vector<Job> SchedulerCore::get_jobs(const std::string& jobstore, std::map<std::string, std::string>* unlisted) {
  std::lock_guard lock(mutex_);
  std::vector<Job> stored;
  for (const auto& alias : store_aliases(jobstore)) {
    if (!unlisted) {
      list_store(alias, stored);
      continue;
    }
    const std::size_t before = stored.size();
    try {
      list_store(alias, stored);
    } catch (const SchedulerError& e) {
      stored.erase(stored.begin() + static_cast<std::ptrdiff_t>(before), stored.end());  // none listed in part
      unlisted->emplace(alias, e.what());
    }
  }
  std::vector<Job> pending;
  for (const auto& p : pending_) {
    if (!jobstore.empty() && p.job.info.jobstore != jobstore) continue;
    // A pending job that is already stored yields to the stored one at start (unless it
    // replaces it): show the job once.
    bool already_stored = std::any_of(stored.begin(), stored.end(), [&](const Job& j) {
      return j.id == p.job.info.id && j.jobstore == p.job.info.jobstore;
    });
    if (already_stored && !p.replace_existing) continue;
    pending.push_back(p.job.info);
    pending.back().pending = true;
  }
  if (pending.empty()) return stored;
  pending.insert(pending.end(), std::make_move_iterator(stored.begin()), std::make_move_iterator(stored.end()));
  return pending;
}

void SchedulerCore::print_jobs(std::ostream& out, const std::string& jobstore) {
  std::map<std::string, std::string> unlisted;
  std::vector<Job> jobs = get_jobs(jobstore, &unlisted);
  std::vector<std::string> aliases;
  {
    std::lock_guard lock(mutex_);
    aliases = store_aliases(jobstore);
  }
  auto section = [&](const std::string& title, auto&& belongs, const char* none) {
    out << title << ":\n";
    bool any = false;
    for (const auto& j : jobs)
      if (belongs(j)) {
        out << "    " << j.describe() << "\n";
        any = true;
      }
    if (!any) out << "    " << none << "\n";
  };
  if (std::any_of(jobs.begin(), jobs.end(), [](const Job& j) { return j.pending; }))
    section("Pending jobs", [](const Job& j) { return j.pending; }, "No pending jobs");
  std::string failures;
  for (const auto& alias : aliases) {
    if (auto failed = unlisted.find(alias); failed != unlisted.end()) {
      out << "Jobstore " << alias << ":\n    cannot be listed: " << failed->second << "\n";
      failures += (failures.empty() ? "" : "; ") + failed->second;
      continue;
    }
    section("Jobstore " + alias, [&](const Job& j) { return !j.pending && j.jobstore == alias; }, "No scheduled jobs");
  }
  if (!failures.empty()) throw SchedulerError(failures);
}

}  // namespace apsched::core::detail

#pragma once
#include <memory>

#include "apsched/core/job.h"
#include "apsched/sdk/store.h"
#include "jobs/job_libraries.h"
#include "loader/trigger_handle.h"
#include "scheduler/running_instances.h"

namespace apsched::core::detail {

/**
 * What each run of a job needs from it. Immutable once built; shared by the job's runs.
 * Built from a decoded job, whose info never changes but for its next run time (a change
 * to the job is a new revision, decoded anew).
 */
struct RunSpec {
  std::string job_id;
  std::shared_ptr<InstanceCount> instances;  ///< its id's running submissions (max_instances)
  std::string jobstore;
  std::string executor;  ///< the alias of the executor its runs are submitted to
  std::string func;
  Value args;
  Value kwargs;
  GraceTime misfire_grace_time;
  Timeout timeout;
  JobFunction function;
};

/** A job with its live trigger, as the kernel works with it. */
struct LoadedJob {
  Job info;
  std::unique_ptr<TriggerHandle> trigger;
  /** The trigger spec as the user gave it, before defaults were resolved. */
  Value trigger_source;
  /** From `info`, with `info.func` resolved at JobLibraries generation `run_generation` (0: never). */
  std::shared_ptr<const RunSpec> run;
  std::uint64_t run_generation = 0;
};

/**
 * The document a store persists for a job (everything but id-ordering and leases):
 * `{v: 1, id, name, func, args, kwargs, trigger: {type, ...}, trigger_source, executor,
 * coalesce, max_instances, misfire_grace_time (null: no limit), timeout (null or absent: no limit)}`.
 * The trigger's state is `info.trigger`, which describe_trigger sets from the live
 * trigger: every path that builds a job or changes its trigger calls it first.
 */
Value encode_job(const LoadedJob& job);
sdk::JobRecord job_record(const LoadedJob& job);

/**
 * Rebuilds a job from a store record. Throws SchedulerError/LoadError with the reason
 * when the record cannot be restored (bad document, trigger plugin missing, ...). The
 * trigger's snapshot fields (`info.trigger`,
 * `trigger_description`, `timezone`) are left empty: running a job does not need them,
 * and formatting them is a large part of the cost; describe_trigger fills them.
 */
LoadedJob decode_job(const sdk::JobRecord& record, const std::string& jobstore, PluginCatalog& catalog,
                     sdk::Host& host);

/**
 * Fills `info.trigger`, `info.trigger_description` and `info.timezone` from the live
 * trigger; `info.trigger` is `stored_spec` when given (the spec the trigger was just
 * restored from, which recreates it as well, without formatting its state again).
 */
void describe_trigger(LoadedJob& job, const Value* stored_spec = nullptr);

/** The public snapshot of a record that cannot be restored. */
Job unrestorable_job(const sdk::JobRecord& record, const std::string& jobstore, const std::string& reason);

}  // namespace apsched::core::detail

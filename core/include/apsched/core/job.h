#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::core {

using sdk::Timestamp;
using sdk::Value;

/** A trigger as configuration: `{type: interval, seconds: 3}`, from YAML or from code. */
struct TriggerSpec {
  Value config;

  /** `TriggerSpec::make("interval", {{"seconds", 3}})` */
  static TriggerSpec make(std::string type, Value::Map options = {});
  /** `TriggerSpec::from_yaml("{type: cron, hour: 9}")`; throws ConfigError on bad YAML. */
  static TriggerSpec from_yaml(std::string_view yaml);
  const std::string& type() const;
};

/** misfire_grace_time: seconds a run may start late, or nullopt for no limit. */
using GraceTime = std::optional<double>;
/** timeout: seconds a run may take, or nullopt for no limit. */
using Timeout = std::optional<double>;

/** APScheduler's job_defaults. */
struct JobDefaults {
  bool coalesce = true;
  int max_instances = 1;
  GraceTime misfire_grace_time = 1.0;
  Timeout timeout;
};

/** What add_job takes. Unset options take the scheduler's job defaults. */
struct JobSpec {
  std::string func;  ///< "library:function"
  TriggerSpec trigger;
  std::optional<std::string> id;    ///< default: a random hex id
  std::optional<std::string> name;  ///< default: the function's name
  Value args = Value::List{};
  Value kwargs = Value::Map{};
  std::string executor = "default";
  std::string jobstore = "default";
  std::optional<bool> coalesce;
  std::optional<int> max_instances;
  std::optional<GraceTime> misfire_grace_time;
  std::optional<Timeout> timeout;
  /** Overrides the trigger's first fire time; an inner nullopt adds the job paused. */
  std::optional<std::optional<Timestamp>> next_run_time;
  bool replace_existing = false;
};

/** Changes for modify_job; only the set fields change. */
struct JobChanges {
  std::optional<std::string> name;
  std::optional<std::string> func;
  std::optional<Value> args;
  std::optional<Value> kwargs;
  std::optional<std::string> executor;
  std::optional<bool> coalesce;
  std::optional<int> max_instances;
  std::optional<GraceTime> misfire_grace_time;
  std::optional<Timeout> timeout;
  std::optional<std::optional<Timestamp>> next_run_time;
};

/** A snapshot of a job, as get_job/get_jobs return it. */
struct Job {
  std::string id;
  std::string name;
  std::string func;
  Value args;
  Value kwargs;
  Value trigger;  ///< `{type: ..., <state>}`: recreates the trigger
  std::string trigger_description;
  std::string timezone;
  std::string executor;
  std::string jobstore;
  bool coalesce = true;
  int max_instances = 1;
  GraceTime misfire_grace_time;
  Timeout timeout;
  std::optional<Timestamp> next_run_time;  ///< nullopt: paused
  bool pending = false;                    ///< added before start(), not yet in a store
  /** Why the job cannot run now (cannot be restored, library missing); empty if fine. */
  std::string problem;

  /** APScheduler's str(job): "tick (trigger: interval[0:00:03], next run at: ...)". */
  std::string describe() const;
};

}  // namespace apsched::core

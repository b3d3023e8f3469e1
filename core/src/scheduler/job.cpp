#include "apsched/core/job.h"

#include "apsched/core/errors.h"
#include "apsched/core/events.h"
#include "config/yaml_value.h"

namespace apsched::core {

TriggerSpec TriggerSpec::make(std::string type, Value::Map options) {
  options.insert_or_assign("type", std::move(type));
  return TriggerSpec{Value(std::move(options))};
}

TriggerSpec TriggerSpec::from_yaml(std::string_view yaml) {
  Value config = detail::parse_yaml_value(yaml, "trigger");
  if (!config.is_map()) throw ConfigError("a trigger must be a YAML mapping such as '{type: interval, seconds: 3}'");
  return TriggerSpec{std::move(config)};
}

const std::string& TriggerSpec::type() const {
  const Value* type = config.find("type");
  if (type == nullptr || !type->is_string()) throw SchedulerError("a trigger needs 'type:'", "type");
  return type->as_string();
}

std::string Job::describe() const {
  std::string text = id + ": " + name;
  if (!problem.empty() && trigger_description.empty()) return text + " (" + problem + ")";
  text += " (trigger: " + trigger_description + ", ";
  if (pending)
    text += "pending";
  else if (next_run_time)
    text += "next run at: " + sdk::format_datetime(*next_run_time, timezone);
  else
    text += "paused";
  if (!problem.empty()) text += "; waiting: " + problem;
  return text + ")";
}

const char* event_name(EventCode code) noexcept {
  switch (code) {
    case EVENT_SCHEDULER_STARTED: return "EVENT_SCHEDULER_STARTED";
    case EVENT_SCHEDULER_SHUTDOWN: return "EVENT_SCHEDULER_SHUTDOWN";
    case EVENT_SCHEDULER_PAUSED: return "EVENT_SCHEDULER_PAUSED";
    case EVENT_SCHEDULER_RESUMED: return "EVENT_SCHEDULER_RESUMED";
    case EVENT_EXECUTOR_ADDED: return "EVENT_EXECUTOR_ADDED";
    case EVENT_EXECUTOR_REMOVED: return "EVENT_EXECUTOR_REMOVED";
    case EVENT_JOBSTORE_ADDED: return "EVENT_JOBSTORE_ADDED";
    case EVENT_JOBSTORE_REMOVED: return "EVENT_JOBSTORE_REMOVED";
    case EVENT_ALL_JOBS_REMOVED: return "EVENT_ALL_JOBS_REMOVED";
    case EVENT_JOB_ADDED: return "EVENT_JOB_ADDED";
    case EVENT_JOB_REMOVED: return "EVENT_JOB_REMOVED";
    case EVENT_JOB_MODIFIED: return "EVENT_JOB_MODIFIED";
    case EVENT_JOB_EXECUTED: return "EVENT_JOB_EXECUTED";
    case EVENT_JOB_ERROR: return "EVENT_JOB_ERROR";
    case EVENT_JOB_MISSED: return "EVENT_JOB_MISSED";
    case EVENT_JOB_SUBMITTED: return "EVENT_JOB_SUBMITTED";
    case EVENT_JOB_MAX_INSTANCES: return "EVENT_JOB_MAX_INSTANCES";
    case EVENT_ALL: return "EVENT_ALL";
  }
  return "EVENT_UNKNOWN";
}

}  // namespace apsched::core

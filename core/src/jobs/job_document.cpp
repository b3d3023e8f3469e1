#include "jobs/job_document.h"

#include "apsched/core/errors.h"
#include "apsched/sdk/status.h"

namespace apsched::core::detail {
namespace {

constexpr std::int64_t kDocumentVersion = 1;

const Value& field(const Value& doc, const char* key) {
  const Value* v = doc.find(key);
  if (v == nullptr) throw SchedulerError(std::string("stored job has no '") + key + "'");
  return *v;
}

}  // namespace

Value encode_job(const LoadedJob& job) {
  const Job& j = job.info;
  // In key order: a map built in order needs no sorting (this runs for every add).
  Value::Map doc{
      {"args", j.args},
      {"coalesce", j.coalesce},
      {"executor", j.executor},
      {"func", j.func},
      {"id", j.id},
      {"kwargs", j.kwargs},
      {"max_instances", j.max_instances},
      {"misfire_grace_time", j.misfire_grace_time ? Value(*j.misfire_grace_time) : Value()},
      {"name", j.name},
      {"timeout", j.timeout ? Value(*j.timeout) : Value()},
      {"trigger", job.trigger->spec()},
      {"trigger_source", job.trigger_source},
      {"v", kDocumentVersion},
  };
  return doc;
}

sdk::JobRecord job_record(const LoadedJob& job) {
  sdk::JobRecord record;
  record.id = job.info.id;
  record.next_run_time = job.info.next_run_time;
  record.document = encode_job(job);
  return record;
}

LoadedJob decode_job(const sdk::JobRecord& record, const std::string& jobstore, PluginCatalog& catalog,
                     sdk::Host& host) {
  if (!record.decode_error.empty()) throw SchedulerError(record.decode_error);
  const Value& doc = record.document;
  try {
    if (!doc.is_map()) throw SchedulerError("stored job is not a mapping");
    std::int64_t version = field(doc, "v").as_int();
    if (version > kDocumentVersion)
      throw SchedulerError("stored job has document version " + std::to_string(version) +
                           " but this apsched reads up to version " + std::to_string(kDocumentVersion) +
                           ": upgrade apsched");
    LoadedJob job;
    Job& j = job.info;
    j.id = record.id;
    j.name = field(doc, "name").as_string();
    j.func = field(doc, "func").as_string();
    j.args = field(doc, "args");  // lists and maps are shared, not copied
    j.kwargs = field(doc, "kwargs");
    j.args.as_list();
    j.kwargs.as_map();
    j.executor = field(doc, "executor").as_string();
    j.jobstore = jobstore;
    j.coalesce = field(doc, "coalesce").as_bool();
    j.max_instances = static_cast<int>(field(doc, "max_instances").as_int());
    const Value& grace = field(doc, "misfire_grace_time");
    if (!grace.is_null()) j.misfire_grace_time = grace.as_number();
    // Absent from documents written before job time limits existed: no limit.
    if (const Value* timeout = doc.find("timeout"); timeout && !timeout->is_null()) j.timeout = timeout->as_number();
    j.next_run_time = record.next_run_time;
    if (const Value* source = doc.find("trigger_source")) job.trigger_source = *source;
    job.trigger = TriggerHandle::create(catalog, field(doc, "trigger"), host);
    return job;
  } catch (const sdk::Error& e) {
    throw SchedulerError(std::string("stored job is malformed: ") + e.what());
  }
}

void describe_trigger(LoadedJob& job, const Value* stored_spec) {
  job.info.trigger = stored_spec ? *stored_spec : job.trigger->spec();
  job.info.trigger_description = job.trigger->describe();
  job.info.timezone = job.trigger->timezone();
}

Job unrestorable_job(const sdk::JobRecord& record, const std::string& jobstore, const std::string& reason) {
  Job j;
  j.id = record.id;
  j.jobstore = jobstore;
  j.next_run_time = record.next_run_time;
  j.problem = "cannot be restored: " + reason;
  if (const Value* name = record.document.find("name"); name && name->is_string()) j.name = name->as_string();
  if (const Value* func = record.document.find("func"); func && func->is_string()) j.func = func->as_string();
  return j;
}

}  // namespace apsched::core::detail

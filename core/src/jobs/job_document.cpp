#include "jobs/job_document.h"

#include <array>
#include <string_view>
#include <vector>

#include "apsched/core/errors.h"
#include "apsched/sdk/status.h"

namespace apsched::core::detail {
namespace {

constexpr std::int64_t kDocumentVersion = 1;

// The fields decode_job reads, in key order (a Value::Map's entries are sorted); the
// id is the record's.
enum Field { kArgs, kCoalesce, kExecutor, kFunc, kKwargs, kMaxInstances, kGrace, kName, kTimeout, kTrigger,
             kTriggerSource, kVersion, kFieldCount };
struct FieldSpec {
  std::string_view name;
  bool optional;  ///< absent from documents written before it existed
};
constexpr FieldSpec kFields[kFieldCount] = {
    {"args", false},    {"coalesce", false},      {"executor", false},       {"func", false},
    {"kwargs", false},  {"max_instances", false}, {"misfire_grace_time", false}, {"name", false},
    {"timeout", true},  // no limit
    {"trigger", false}, {"trigger_source", true}, {"v", false}};

/** The document's fields by Field, found in one walk over its sorted entries; null when absent. */
std::array<const Value*, kFieldCount> fields_of(const Value& doc) {
  std::array<const Value*, kFieldCount> found{};
  std::size_t next = 0;
  for (const auto& [key, value] : doc.as_map()) {
    // Equality first: it compares lengths before characters, and nearly every key is the next field.
    for (; next < kFieldCount; ++next) {
      if (kFields[next].name == key) {
        found[next++] = &value;
        break;
      }
      if (key < kFields[next].name) break;  // a key decode_job does not read (e.g. the id)
    }
  }
  for (std::size_t f = 0; f < kFieldCount; ++f)
    if (found[f] == nullptr && !kFields[f].optional)
      throw SchedulerError("stored job has no '" + std::string(kFields[f].name) + "'");
  return found;
}

}  // namespace

Value encode_job(const LoadedJob& job) {
  const Job& j = job.info;
  // Built in place at its size, in key order (nothing to sort): this runs for every add,
  // and a map from an initializer list builds each entry twice. (emplace at the end, not
  // emplace_back: GCC 12 at -O3 takes the latter for a write past an empty array.)
  std::vector<Value::Map::value_type> doc;
  doc.reserve(13);  // the entries below
  doc.emplace(doc.end(), "args", j.args);
  doc.emplace(doc.end(), "coalesce", j.coalesce);
  doc.emplace(doc.end(), "executor", j.executor);
  doc.emplace(doc.end(), "func", j.func);
  doc.emplace(doc.end(), "id", j.id);
  doc.emplace(doc.end(), "kwargs", j.kwargs);
  doc.emplace(doc.end(), "max_instances", j.max_instances);
  doc.emplace(doc.end(), "misfire_grace_time", j.misfire_grace_time ? Value(*j.misfire_grace_time) : Value());
  doc.emplace(doc.end(), "name", j.name);
  doc.emplace(doc.end(), "timeout", j.timeout ? Value(*j.timeout) : Value());
  // describe_trigger filled it from the live trigger; formatting a trigger's state
  // again (dates, zones) was a sixth of an add.
  doc.emplace(doc.end(), "trigger", j.trigger.is_null() ? job.trigger->spec() : j.trigger);
  doc.emplace(doc.end(), "trigger_source", job.trigger_source);
  doc.emplace(doc.end(), "v", kDocumentVersion);
  return Value::Map::from_entries(std::move(doc));
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
    const auto field = fields_of(doc);
    std::int64_t version = field[kVersion]->as_int();
    if (version > kDocumentVersion)
      throw SchedulerError("stored job has document version " + std::to_string(version) +
                           " but this apsched reads up to version " + std::to_string(kDocumentVersion) +
                           ": upgrade apsched");
    LoadedJob job;
    Job& j = job.info;
    j.id = record.id;
    j.name = field[kName]->as_string();
    j.func = field[kFunc]->as_string();
    field[kArgs]->as_list();  // type checks; read-only, so that nothing is unshared
    field[kKwargs]->as_map();
    j.args = *field[kArgs];  // lists and maps are shared, not copied
    j.kwargs = *field[kKwargs];
    j.executor = field[kExecutor]->as_string();
    j.jobstore = jobstore;
    j.coalesce = field[kCoalesce]->as_bool();
    j.max_instances = static_cast<int>(field[kMaxInstances]->as_int());
    if (!field[kGrace]->is_null()) j.misfire_grace_time = field[kGrace]->as_number();
    if (field[kTimeout] && !field[kTimeout]->is_null()) j.timeout = field[kTimeout]->as_number();
    j.next_run_time = record.next_run_time;
    if (field[kTriggerSource]) job.trigger_source = *field[kTriggerSource];
    job.trigger = TriggerHandle::create(catalog, *field[kTrigger], host);
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

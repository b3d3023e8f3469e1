// The job-worker protocol's messages: one JSON document per line.
#include "apsched/sdk/job_worker.h"

#include "apsched/sdk/status.h"

namespace apsched::sdk::worker {
namespace {

const Value& member(const Value& message, const char* key) {
  const Value* v = message.find(key);
  if (v == nullptr) throw Error(std::string("job-worker message has no '") + key + "'");
  return *v;
}

std::string line_of(Value message) { return message.to_json() + "\n"; }

/** The argument value, checked for the boundary, e.g. "args" -> the JSON it becomes. */
std::string carried(const Value& value, const char* field) {
  try {
    return value.to_json();
  } catch (const Error& e) {
    throw Error(std::string("the job's ") + field + " cannot cross the process boundary: " + e.what() +
                    " (job arguments must be JSON data: no NaN or infinity)",
                field);
  }
}

Value parse(std::string_view line) {
  Value message = Value::from_json(line);
  if (!message.is_map()) throw Error("job-worker message is not a JSON object");
  return message;
}

}  // namespace

std::string encode_request(const Request& request) {
  // args and kwargs are checked one by one, so that the error names the culprit.
  carried(request.args, "args");
  carried(request.kwargs, "kwargs");
  return line_of(Value::Map{{"job_id", request.job_id},
                            {"func", request.func},
                            {"args", request.args},
                            {"kwargs", request.kwargs},
                            {"run_time", request.run_time},
                            {"library_file", request.library_file}});
}

Request decode_request(std::string_view line) {
  Value message = parse(line);
  Request r;
  r.job_id = member(message, "job_id").as_string();
  r.func = member(message, "func").as_string();
  r.args = member(message, "args");
  r.kwargs = member(message, "kwargs");
  r.run_time = member(message, "run_time").as_int();
  if (const Value* file = message.find("library_file")) r.library_file = file->as_string();
  return r;
}

std::string encode_ready() { return line_of(Value::Map{{"ready", true}}); }

std::string encode_log(LogLevel level, std::string_view message) {
  return line_of(Value::Map{{"log", static_cast<std::int64_t>(level)}, {"message", std::string(message)}});
}

std::string encode_outcome(const JobOutcome& outcome) {
  carried(outcome.retval, "return value");
  return line_of(Value::Map{{"ok", outcome.ok},
                            {"retval", outcome.retval},
                            {"error_type", outcome.error_type},
                            {"error_message", outcome.error_message}});
}

Reply decode_reply(std::string_view line) {
  Value message = parse(line);
  Reply reply;
  if (message.find("ready")) {
    reply.kind = Reply::Kind::ready;
  } else if (const Value* level = message.find("log")) {
    reply.kind = Reply::Kind::log;
    std::int64_t n = level->as_int();
    if (n < 0 || n > static_cast<std::int64_t>(LogLevel::critical)) throw Error("job-worker log level out of range");
    reply.level = static_cast<LogLevel>(n);
    reply.message = member(message, "message").as_string();
  } else {
    reply.kind = Reply::Kind::outcome;
    reply.outcome.ok = member(message, "ok").as_bool();
    reply.outcome.retval = member(message, "retval");
    reply.outcome.error_type = member(message, "error_type").as_string();
    reply.outcome.error_message = member(message, "error_message").as_string();
  }
  return reply;
}

}  // namespace apsched::sdk::worker

#include "row_decoder.h"

#include <sqlite3.h>

#include <apsched/sdk/status.h>

namespace apsched::stores::sqlite {
namespace {

constexpr int kId = 0;
constexpr int kNextRunTime = 1;
constexpr int kDocument = 2;

const char* storage_class(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a float";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "NULL";
  }
}

}  // namespace

sdk::JobRecord decode_row(const Query& query) {
  sdk::JobRecord record;
  record.id = query.column_bytes(kId);
  auto job = [&record] { return "job '" + record.id + "'"; };  // built only for an error

  int time_type = query.column_type(kNextRunTime);
  if (time_type == SQLITE_INTEGER) {
    record.next_run_time = query.column_int(kNextRunTime);
  } else if (time_type != SQLITE_NULL) {
    record.decode_error = job() + ": stored next_run_time is " + storage_class(time_type) + " ('" +
                          query.column_bytes(kNextRunTime) + "'), expected integer microseconds or NULL";
  }

  int document_type = query.column_type(kDocument);
  if (document_type != SQLITE_TEXT) {
    record.raw = query.column_bytes(kDocument);
    if (record.decode_error.empty())
      record.decode_error =
          job() + ": stored document is " + storage_class(document_type) + ", expected JSON text";
    return record;
  }
  std::string_view text = query.column_view(kDocument);
  if (!record.decode_error.empty()) {
    record.raw = std::string(text);
    return record;
  }
  try {
    record.document = sdk::Value::from_json(text);
  } catch (const std::exception& e) {
    record.decode_error = job() + ": stored document is not valid JSON: " + e.what();
    record.raw = std::string(text);
  }
  return record;
}

}  // namespace apsched::stores::sqlite

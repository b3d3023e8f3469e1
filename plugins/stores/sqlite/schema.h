#pragma once
#include <string>

#include "database.h"

namespace apsched::stores::sqlite {

/** The jobs-table layout this build reads and writes. */
constexpr int kSchemaVersion = 1;

/**
 * The bookkeeping table, one row per jobs table in the file: its schema version and the
 * next insertion sequence number. Its layout is frozen: every apsched version must be
 * able to read it to tell whether it may open the file.
 */
constexpr const char* kMetaTable = "apsched_meta";

/** `"name"`, for a name already checked by is_valid_table_name. */
std::string quote_identifier(const std::string& name);

/** What ensure_schema found and did. */
struct SchemaOutcome {
  int found_version = 0;  ///< 0: the table did not exist
  bool changed = false;   ///< the table was created or migrated
};

/**
 * Makes `table` a jobs table of kSchemaVersion: creates it in a new or empty file,
 * migrates an older version step by step in one write transaction, and leaves a current
 * one untouched (without taking the write lock, so opening never waits for a busy
 * scheduler). Throws sdk::Error, changing nothing, for a table of a newer schema version
 * or one that apsched did not create; SqliteFailure on database errors.
 */
SchemaOutcome ensure_schema(Database& db, const std::string& table);

}  // namespace apsched::stores::sqlite

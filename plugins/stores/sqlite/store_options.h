#pragma once
#include <string>

#include <apsched/sdk/host.h>
#include <apsched/sdk/value.h>

namespace apsched::stores::sqlite {

/** The store's configuration, validated; reading it touches no file. */
struct StoreOptions {
  std::string path;               ///< the database file, absolute or as configured when no base directory
  std::string table = "apscheduler_jobs";
  int busy_timeout_ms = 5000;     ///< how long a call waits for another connection's lock
};

/**
 * Reads `{type: sqlite, path: ..., table: ..., busy_timeout: seconds}`. A relative
 * `path` is taken relative to `host.base_directory()`. Throws sdk::Error naming the key.
 */
StoreOptions read_store_options(const sdk::Host& host, const sdk::Value& config);

/**
 * True for names usable as the jobs table: ASCII letters, digits and '_', not starting
 * with a digit, at most 64 characters, and not reserved (`sqlite_*`, `apsched_*`).
 */
bool is_valid_table_name(const std::string& name);

}  // namespace apsched::stores::sqlite

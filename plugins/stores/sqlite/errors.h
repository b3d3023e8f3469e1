#pragma once
#include <string>
#include <string_view>

#include <apsched/sdk/status.h>

#include "database.h"

namespace apsched::stores::sqlite {

/**
 * Throws sdk::Error (Code::unavailable) when the directory that should hold the
 * database does not exist or is not a directory: SQLite would only say "unable to open
 * database file".
 */
void check_parent_directory(const std::string& path);

/**
 * The error for a failed SQLite call: names the database path, what the store was doing
 * (`action`, e.g. "add job 'x'"), SQLite's message and, where it helps, the likely cause
 * found on the file system (missing directory, permissions) or what to do.
 */
sdk::Error describe_failure(const std::string& path, int busy_timeout_ms, std::string_view action,
                            const SqliteFailure& failure);

}  // namespace apsched::stores::sqlite

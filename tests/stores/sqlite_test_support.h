#pragma once
// Helpers for the SQLite store tests: store construction, job records, and direct SQL on
// a database file (to plant corrupt rows or foreign tables).
#include <apsched/sdk/status.h>
#include <apsched/sdk/store.h>
#include <apsched/sdk/value.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_host.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace apsched::testing::sqlite {

using stores::sqlite::SqliteStore;
using apsched::testing::TempDir;

/** `{type: sqlite, path: PATH}` plus `extra` keys. */
sdk::Value store_config(const std::string& path, sdk::Value::Map extra = {});

/** Constructs and starts a store, failing the test (REQUIRE) when start fails. */
std::unique_ptr<SqliteStore> open_store(FakeHost& host, const std::string& path, sdk::Value::Map extra = {});

/** A record whose document is `{"id": id, "payload": payload}`. */
sdk::JobRecord job(const std::string& id, std::optional<sdk::Timestamp> next_run_time,
                   sdk::Value payload = sdk::Value());

std::vector<std::string> ids(const std::vector<sdk::JobRecord>& records);

/** Runs SQL on the file through a connection of its own; throws std::runtime_error. */
void execute_sql(const std::string& path, const std::string& sql);
/** First column of the first row as text ("" when no row). */
std::string query_sql(const std::string& path, const std::string& sql);
/** Column `column` of every row, as text. */
std::vector<std::string> query_column(const std::string& path, const std::string& sql, int column = 0);

/** "code N: message" for test output. */
std::string describe(const sdk::Status& status);

/**
 * Runs `fn` as an unprivileged user so that file permissions apply: in a forked child
 * that switches to uid/gid 65534 when the test runs as root, directly otherwise.
 * Returns what `fn` returned.
 */
std::string run_unprivileged(const std::function<std::string()>& fn);

}  // namespace apsched::testing::sqlite

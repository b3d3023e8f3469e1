#include "schema.h"

#include <apsched/sdk/status.h>

#include <cstdint>
#include <optional>

namespace apsched::stores::sqlite {
namespace {

/**
 * One step of the schema's history: brings a table from version `to_version - 1` to
 * `to_version`, inside the caller's write transaction. A table that does not exist yet
 * is version 0 and goes through every step. To change the layout, append a step and
 * bump kSchemaVersion; never edit a released step.
 */
struct Migration {
  int to_version;
  void (*apply)(Database& db, const std::string& table);
};

void create_version_1(Database& db, const std::string& table) {
  const std::string t = quote_identifier(table);
  // next_run_time: microseconds since the epoch, UTC; NULL = paused.
  // seq: insertion order, the FIFO tie-break among equal next_run_time.
  // document: the kernel's job description as JSON text.
  // lease_owner/lease_expires: who runs the job until when (microseconds); a lease is
  // live while lease_expires > now.
  db.execute("CREATE TABLE " + t +
             " (id TEXT PRIMARY KEY NOT NULL, next_run_time INTEGER, seq INTEGER NOT NULL, document TEXT,"
             " lease_owner TEXT, lease_expires INTEGER)");
  db.execute("CREATE INDEX " + quote_identifier(table + "_next_run_time") + " ON " + t + " (next_run_time, seq)");
  // Only leased rows are in it, so it stays small and finding the earliest lease expiry
  // does not scan the table.
  db.execute("CREATE INDEX " + quote_identifier(table + "_lease_expires") + " ON " + t +
             " (lease_expires) WHERE lease_expires IS NOT NULL");
}

constexpr Migration kMigrations[] = {
    {1, &create_version_1},
};
static_assert(kMigrations[std::size(kMigrations) - 1].to_version == kSchemaVersion,
              "every schema version needs a migration step");

struct TableState {
  std::optional<std::int64_t> version;  ///< from apsched_meta; nullopt when not recorded
  bool table_exists = false;
};

bool object_exists(Database& db, const std::string& type, const std::string& name) {
  Statement statement(db, "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2");
  Query query(statement);
  query.bind(1, type).bind(2, name);
  return query.step();
}

TableState read_state(Database& db, const std::string& table) {
  TableState state;
  state.table_exists = object_exists(db, "table", table);
  if (object_exists(db, "table", kMetaTable)) {
    Statement statement(db, std::string("SELECT schema_version FROM ") + kMetaTable + " WHERE table_name = ?1");
    Query query(statement);
    query.bind(1, table);
    if (query.step()) state.version = query.column_int(0);
  }
  return state;
}

/** Throws when the table must not be touched. */
void check_compatible(const Database& db, const std::string& table, const TableState& state) {
  if (state.version && *state.version > kSchemaVersion)
    throw sdk::Error("sqlite job store '" + db.path() + "': table '" + table + "' has schema version " +
                         std::to_string(*state.version) + ", but this apsched supports schema version " +
                         std::to_string(kSchemaVersion) +
                         " at most: the file was written by a newer apsched. Run that newer apsched, or point "
                         "'path' (or 'table') at another database; the file was left unchanged",
                     "path", sdk::Code::unavailable);
  if (!state.version && state.table_exists)
    throw sdk::Error("sqlite job store '" + db.path() + "': table '" + table +
                         "' exists but was not created by apsched (it has no entry in " + kMetaTable +
                         "; an APScheduler SQLAlchemyJobStore table?). Choose another 'table' or another file; "
                         "the table was left unchanged",
                     "table", sdk::Code::unavailable);
}

bool is_current(const TableState& state) { return state.version == kSchemaVersion && state.table_exists; }

}  // namespace

std::string quote_identifier(const std::string& name) { return "\"" + name + "\""; }

SchemaOutcome ensure_schema(Database& db, const std::string& table) {
  TableState state;
  {
    Transaction read(db, Transaction::Kind::read);
    state = read_state(db, table);
    read.commit();
  }
  check_compatible(db, table, state);
  SchemaOutcome outcome;
  outcome.found_version = state.table_exists ? static_cast<int>(state.version.value_or(0)) : 0;
  if (is_current(state)) return outcome;

  Transaction write(db, Transaction::Kind::write);
  state = read_state(db, table);  // another process may have done it meanwhile
  check_compatible(db, table, state);
  outcome.found_version = state.table_exists ? static_cast<int>(state.version.value_or(0)) : 0;
  if (is_current(state)) return outcome;

  db.execute(std::string("CREATE TABLE IF NOT EXISTS ") + kMetaTable +
             " (table_name TEXT PRIMARY KEY NOT NULL, schema_version INTEGER NOT NULL,"
             " next_seq INTEGER NOT NULL DEFAULT 1)");
  for (const Migration& step : kMigrations)
    if (step.to_version > outcome.found_version) step.apply(db, table);

  Statement record(db, std::string("INSERT INTO ") + kMetaTable +
                           " (table_name, schema_version) VALUES (?1, ?2)"
                           " ON CONFLICT (table_name) DO UPDATE SET schema_version = excluded.schema_version");
  Query(record).bind(1, table).bind(2, std::int64_t{kSchemaVersion}).run();
  write.commit();
  outcome.changed = true;
  return outcome;
}

}  // namespace apsched::stores::sqlite

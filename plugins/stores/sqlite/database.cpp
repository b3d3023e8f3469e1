#include "database.h"

#include <sqlite3.h>

namespace apsched::stores::sqlite {

// ---- Database ---------------------------------------------------------------------

Database::Database(const std::string& path, int busy_timeout_ms) : path_(path), busy_timeout_ms_(busy_timeout_ms) {
  // NOMUTEX: the owner serialises all use of this connection, so SQLite's own per-
  // connection mutex would only add cost. Cross-process coordination is SQLite's file
  // locking, which this flag does not affect.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    int code = db_ ? sqlite3_extended_errcode(db_) : rc;
    close();
    throw SqliteFailure(code, message);
  }
  try {
    configure();
  } catch (...) {
    close();
    throw;
  }
}

void Database::configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms_);
  // SQLite silently falls back to read-only when the file is not writable; a store
  // must write, so say so now rather than at the first change.
  if (sqlite3_db_readonly(db_, "main") == 1)
    throw SqliteFailure(SQLITE_READONLY, "the database file can only be opened read-only");

  // The first statement reads the file: "file is not a database" surfaces here.
  // WAL: readers (`apsched jobs`, other processes) never block the scheduler's writes
  // and a commit appends to the log instead of rewriting pages in place.
  std::string mode = query_text("PRAGMA journal_mode=WAL");
  if (mode != "wal")
    throw SqliteFailure(SQLITE_ERROR, "could not switch to WAL journal mode (SQLite kept '" + mode + "')");
  // synchronous=FULL: the WAL is fsync'ed at every commit, so a change is durable once
  // the call that made it returns. With NORMAL, a power loss could undo the last
  // commits: a job the user was told was added would vanish, or a job that already ran
  // would run again because its new next_run_time was lost. One fsync per transaction
  // is the price; acquire_due/release batch a whole scheduler pass into one each.
  execute("PRAGMA synchronous=FULL");

  begin_read_ = std::make_unique<Statement>(*this, "BEGIN DEFERRED");
  begin_write_ = std::make_unique<Statement>(*this, "BEGIN IMMEDIATE");
  commit_ = std::make_unique<Statement>(*this, "COMMIT");
  rollback_ = std::make_unique<Statement>(*this, "ROLLBACK");
}

Database::~Database() { close(); }

void Database::close() noexcept {
  begin_read_.reset();
  begin_write_.reset();
  commit_.reset();
  rollback_.reset();
  if (db_) sqlite3_close(db_);  // every statement is finalized by now, so this closes
  db_ = nullptr;
}

void Database::execute(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteFailure(sqlite3_extended_errcode(db_), message);
  }
}

std::string Database::query_text(const char* sql) {
  Statement statement(*this, sql);
  Query query(statement);
  if (!query.step()) return {};
  return query.column_bytes(0);
}

void Database::fail(int code) const { throw SqliteFailure(code, sqlite3_errmsg(db_)); }

// ---- Statement --------------------------------------------------------------------

Statement::Statement(Database& db, const std::string& sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.c_str(), static_cast<int>(sql.size() + 1),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

// ---- Query ------------------------------------------------------------------------

Query::~Query() {
  sqlite3_reset(statement_.handle());
  sqlite3_clear_bindings(statement_.handle());
}

Query& Query::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(statement_.handle(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) statement_.database().fail(rc);
  return *this;
}

Query& Query::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(statement_.handle(), index, static_cast<sqlite3_int64>(value));
  if (rc != SQLITE_OK) statement_.database().fail(rc);
  return *this;
}

Query& Query::bind(int index, std::optional<std::int64_t> value) {
  if (value) return bind(index, *value);
  int rc = sqlite3_bind_null(statement_.handle(), index);
  if (rc != SQLITE_OK) statement_.database().fail(rc);
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(statement_.handle());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  statement_.database().fail(rc);
}

int Query::run() {
  while (step()) {
  }
  return sqlite3_changes(statement_.database().handle());
}

int Query::column_type(int column) const { return sqlite3_column_type(statement_.handle(), column); }

std::int64_t Query::column_int(int column) const {
  return static_cast<std::int64_t>(sqlite3_column_int64(statement_.handle(), column));
}

std::string Query::column_bytes(int column) const { return std::string(column_view(column)); }

std::string_view Query::column_view(int column) const {
  // Read the pointer before the size, as SQLite documents; blobs stay as they are.
  sqlite3_stmt* stmt = statement_.handle();
  const void* data = sqlite3_column_type(stmt, column) == SQLITE_BLOB ? sqlite3_column_blob(stmt, column)
                                                                       : sqlite3_column_text(stmt, column);
  int size = sqlite3_column_bytes(stmt, column);
  if (!data || size <= 0) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// ---- Transaction ------------------------------------------------------------------

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  Query(kind == Kind::write ? *db.begin_write_ : *db.begin_read_).run();
}

Transaction::~Transaction() {
  if (!open_ || sqlite3_get_autocommit(db_.handle())) return;  // committed, or SQLite rolled back itself
  try {
    Query(*db_.rollback_).run();
  } catch (const SqliteFailure&) {
    // Nothing more to do: the connection discards the transaction when it closes.
  }
}

void Transaction::commit() {
  Query(*db_.commit_).run();
  open_ = false;
}

}  // namespace apsched::stores::sqlite

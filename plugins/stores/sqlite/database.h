#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace apsched::stores::sqlite {

class Statement;

/**
 * A failed SQLite call: the (extended) result code and SQLite's message. Internal to the
 * store; the store turns it into an sdk::Status naming the path and the action.
 */
class SqliteFailure : public std::runtime_error {
 public:
  SqliteFailure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }
  int primary_code() const noexcept { return code_ & 0xff; }

 private:
  int code_;
};

/**
 * One SQLite connection (RAII). Opened read-write, creating the file, in WAL mode with
 * synchronous=FULL and a busy timeout.
 *
 * THREADING: none of its own; the owner serialises every use of the connection and of
 * its statements (see SqliteStore::mutex_).
 */
class Database {
 public:
  /**
   * Opens (or creates) `path` and sets the connection up. Throws SqliteFailure,
   * including for a file SQLite could only open read-only (SQLITE_READONLY).
   */
  Database(const std::string& path, int busy_timeout_ms);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /** Runs SQL without results (DDL, pragmas); may hold several statements. */
  void execute(const std::string& sql);
  /** Runs a statement returning one text value (e.g. `PRAGMA journal_mode=WAL`). */
  std::string query_text(const char* sql);

  [[noreturn]] void fail(int code) const;
  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }
  int busy_timeout_ms() const noexcept { return busy_timeout_ms_; }

 private:
  friend class Transaction;
  void configure();
  void close() noexcept;

  sqlite3* db_ = nullptr;
  // Transaction control, prepared once (declared after db_: finalized before it closes).
  std::unique_ptr<Statement> begin_read_, begin_write_, commit_, rollback_;
  std::string path_;
  int busy_timeout_ms_;
};

/**
 * A prepared statement, prepared once and reused (SQLITE_PREPARE_PERSISTENT). Use it
 * through a Query, which binds, steps, and resets the statement when it goes out of
 * scope, so a statement is never left holding a read lock.
 */
class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* handle() const noexcept { return stmt_; }
  Database& database() const noexcept { return db_; }

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/** One execution of a Statement. Parameters are 1-based, columns 0-based. */
class Query {
 public:
  explicit Query(Statement& statement) noexcept : statement_(statement) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::string_view text);
  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::optional<std::int64_t> value);

  /** True when a row is available; false when done. Throws SqliteFailure. */
  bool step();
  /** Steps to completion, returning the number of rows changed. */
  int run();

  int column_type(int column) const;  ///< SQLITE_INTEGER, SQLITE_TEXT, SQLITE_NULL, ...
  std::int64_t column_int(int column) const;
  /** Raw bytes of a column (text or blob); empty for NULL. */
  std::string column_bytes(int column) const;
  /** The same without a copy: valid until the next step or the end of the Query. */
  std::string_view column_view(int column) const;

 private:
  Statement& statement_;
};

/**
 * A transaction: BEGIN IMMEDIATE for writes (the write lock is taken up front, waiting
 * up to the busy timeout, so a transaction never fails half-way on a lock upgrade) or
 * BEGIN DEFERRED for consistent multi-statement reads. Rolled back unless committed.
 */
class Transaction {
 public:
  enum class Kind { read, write };
  Transaction(Database& db, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace apsched::stores::sqlite

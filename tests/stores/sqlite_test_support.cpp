#include "sqlite_test_support.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <stdexcept>

namespace apsched::testing::sqlite {

sdk::Value store_config(const std::string& path, sdk::Value::Map extra) {
  extra["type"] = "sqlite";
  extra["path"] = path;
  return sdk::Value(std::move(extra));
}

std::unique_ptr<SqliteStore> open_store(FakeHost& host, const std::string& path, sdk::Value::Map extra) {
  auto store = std::make_unique<SqliteStore>(host, store_config(path, std::move(extra)));
  sdk::Status status = store->start();
  INFO(describe(status));
  REQUIRE(status.ok());
  return store;
}

sdk::JobRecord job(const std::string& id, std::optional<sdk::Timestamp> next_run_time, sdk::Value payload) {
  sdk::JobRecord record;
  record.id = id;
  record.next_run_time = next_run_time;
  record.document = sdk::Value(sdk::Value::Map{{"id", id}, {"payload", std::move(payload)}});
  return record;
}

std::vector<std::string> ids(const std::vector<sdk::JobRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

namespace {

struct RawConnection {
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path + ": " + sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
  }
  ~RawConnection() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

}  // namespace

void execute_sql(const std::string& path, const std::string& sql) {
  RawConnection connection(path);
  char* error = nullptr;
  if (sqlite3_exec(connection.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("SQL failed on " + path + ": " + message + " in: " + sql);
  }
}

std::vector<std::string> query_column(const std::string& path, const std::string& sql, int column) {
  RawConnection connection(path);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(connection.db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(connection.db) + " in: " + sql);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, column);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  std::string message = sqlite3_errmsg(connection.db);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error("SQL failed: " + message + " in: " + sql);
  return out;
}

std::string query_sql(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows = query_column(path, sql);
  return rows.empty() ? std::string() : rows.front();
}

std::string describe(const sdk::Status& status) {
  return "code " + std::to_string(static_cast<int>(status.code)) + ": " + status.message;
}

std::string run_unprivileged(const std::function<std::string()>& fn) {
  if (::geteuid() != 0) return fn();
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    std::string result;
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      result = "setuid failed";
    } else {
      try {
        result = fn();
      } catch (const std::exception& e) {
        result = std::string("exception: ") + e.what();
      }
    }
    std::size_t written = 0;
    while (written < result.size()) {
      ssize_t n = ::write(fds[1], result.data() + written, result.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) result.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

}  // namespace apsched::testing::sqlite

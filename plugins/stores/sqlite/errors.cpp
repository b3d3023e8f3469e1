#include "errors.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace apsched::stores::sqlite {
namespace {

namespace fs = std::filesystem;

fs::path parent_of(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

bool can(const fs::path& path, int mode) { return ::access(path.c_str(), mode) == 0; }

/** What the file system says about why the database cannot be opened or written. */
std::string filesystem_hint(const std::string& path) {
  std::error_code ec;
  fs::path file(path);
  fs::path dir = parent_of(path);
  if (!fs::exists(dir, ec)) return "directory '" + dir.string() + "' does not exist";
  if (!fs::exists(file, ec)) {
    if (!can(dir, W_OK | X_OK))
      return "directory '" + dir.string() + "' is not writable, so the database cannot be created there";
    return {};
  }
  if (fs::is_directory(file, ec)) return "'" + path + "' is a directory, not a database file";
  if (!can(file, R_OK)) return "the file is not readable by this user (check its permissions)";
  if (!can(file, W_OK)) return "the file is not writable by this user (check its permissions)";
  for (const char* suffix : {"-wal", "-shm"}) {
    fs::path side = path + suffix;
    if (fs::exists(side, ec) && !can(side, R_OK | W_OK))
      return "'" + side.string() + "' is not readable and writable by this user (check its permissions)";
  }
  if (!can(dir, W_OK | X_OK))
    return "directory '" + dir.string() + "' is not writable: SQLite must create '" + file.filename().string() +
           "-wal' and '" + file.filename().string() + "-shm' beside the database";
  return {};
}

std::string hint_for(const std::string& path, int busy_timeout_ms, int primary_code) {
  switch (primary_code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another connection or process held the database locked for longer than the busy timeout (" +
             std::to_string(busy_timeout_ms) + " ms); retry later or find the process holding it (e.g. `fuser " +
             path + "`)";
    case SQLITE_NOTADB:
      return "the file exists but is not an SQLite database; point 'path' at another file";
    case SQLITE_CORRUPT:
      return "the database file is damaged; restore it from a backup or try `sqlite3 " + path + " .recover`";
    case SQLITE_FULL:
      return "the disk is full";
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
      return filesystem_hint(path);
    default:
      return {};
  }
}

sdk::Code code_for(int primary_code) {
  switch (primary_code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return sdk::Code::unavailable;
    default:
      return sdk::Code::internal;
  }
}

}  // namespace

void check_parent_directory(const std::string& path) {
  std::error_code ec;
  fs::path dir = parent_of(path);
  fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found)
    throw sdk::Error("sqlite job store '" + path + "': directory '" + dir.string() +
                         "' does not exist; create it or change 'path'",
                     "path", sdk::Code::unavailable);
  if (!ec && !fs::is_directory(status))
    throw sdk::Error("sqlite job store '" + path + "': '" + dir.string() + "' is not a directory", "path",
                     sdk::Code::unavailable);
}

sdk::Error describe_failure(const std::string& path, int busy_timeout_ms, std::string_view action,
                            const SqliteFailure& failure) {
  std::string message = "sqlite job store '" + path + "': cannot " + std::string(action) + ": " + failure.what();
  std::string hint = hint_for(path, busy_timeout_ms, failure.primary_code());
  if (!hint.empty()) message += " (" + hint + ")";
  return sdk::Error(message, {}, code_for(failure.primary_code()));
}

}  // namespace apsched::stores::sqlite

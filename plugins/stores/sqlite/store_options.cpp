#include "store_options.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>

#include <cmath>
#include <filesystem>

namespace apsched::stores::sqlite {
namespace {

bool starts_with_ignoring_case(const std::string& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string resolve_path(const sdk::Host& host, const std::string& configured) {
  std::filesystem::path path(configured);
  if (path.is_absolute()) return path.lexically_normal().string();
  std::string base = host.base_directory();
  if (base.empty()) return configured;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

}  // namespace

bool is_valid_table_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (name[0] >= '0' && name[0] <= '9') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return !starts_with_ignoring_case(name, "sqlite_") && !starts_with_ignoring_case(name, "apsched_");
}

StoreOptions read_store_options(const sdk::Host& host, const sdk::Value& config) {
  sdk::ConfigReader reader(config, "sqlite job store");
  reader.ignore("type");
  StoreOptions options;

  std::optional<std::string> path = reader.string("path");
  if (!path || path->empty())
    throw sdk::Error("the sqlite job store needs 'path': the database file, e.g. {type: sqlite, path: jobs.sqlite}",
                     "path");
  options.path = resolve_path(host, *path);

  if (std::optional<std::string> table = reader.string("table")) {
    if (!is_valid_table_name(*table))
      throw sdk::Error("'table' in sqlite job store must be a plain SQL name (letters, digits and '_', not "
                       "starting with a digit or with 'sqlite_'/'apsched_', at most 64 characters), got '" +
                           *table + "'",
                       "table");
    options.table = *table;
  }

  if (std::optional<double> seconds = reader.number("busy_timeout")) {
    if (!std::isfinite(*seconds) || *seconds < 0 || *seconds > 3600)
      throw sdk::Error("'busy_timeout' in sqlite job store must be between 0 and 3600 seconds", "busy_timeout");
    options.busy_timeout_ms = static_cast<int>(std::lround(*seconds * 1000));
  }

  reader.finish();
  return options;
}

}  // namespace apsched::stores::sqlite

#include "crontab.h"

#include <apsched/sdk/status.h>

#include <array>
#include <sstream>
#include <utility>
#include <vector>

#include "shared_cache.h"

namespace apsched::triggers::cron {
namespace {

constexpr const char* kWhat = "crontab trigger";

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

// The line's five fields in crontab order, and where each goes.
struct Column {
  FieldKind kind;
  const char* title;
};
constexpr std::array<Column, 5> kColumns{{
    {FieldKind::minute, "minute"},
    {FieldKind::hour, "hour"},
    {FieldKind::day, "day of month"},
    {FieldKind::month, "month"},
    {FieldKind::day_of_week, "day of week"},
}};

[[noreturn]] void fail(const std::string& problem, const std::string& hint) {
  throw sdk::Error("expr: " + problem + " in " + kWhat + "; " + hint, "expr");
}

std::string expand_macro(const std::string& expr) {
  std::string word = expr.substr(0, expr.find_first_of(" \t"));
  for (const auto& [name, line] : kMacros)
    if (word == name) {
      if (word.size() != expr.size()) fail("'" + expr + "' has text after the macro", "a macro stands alone");
      return std::string(line);
    }
  fail("unknown macro '" + word + "'", "expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
}

std::vector<std::string> split_fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  constexpr const char* kLayout = "expected 5 fields: minute hour day-of-month month day-of-week";
  if (fields.size() == 6)
    fail("'" + line + "' has 6 fields", std::string(kLayout) +
                                            "; a crontab line has no seconds field: for seconds use "
                                            "{type: cron, second: ...}");
  if (fields.size() != 5)
    fail("'" + line + "' has " + std::to_string(fields.size()) + " field(s)",
         std::string(kLayout) + ", or a macro such as @daily");
  return fields;
}

CronSetup read_config(const sdk::Host& host, const sdk::Value& config) {
  sdk::ConfigReader reader(config, kWhat);
  reader.ignore("type");
  auto expr = reader.string("expr");
  if (!expr) throw sdk::Error("expr: missing in crontab trigger; give a line such as \"*/5 * * * *\" or a macro such as \"@daily\"", "expr");
  CommonOptions options = CommonOptions::read(reader, host);
  reader.finish();

  std::string trimmed = *expr;
  trimmed.erase(0, trimmed.find_first_not_of(" \t"));
  trimmed.erase(trimmed.find_last_not_of(" \t") + 1);
  std::vector<std::string> columns = split_fields(!trimmed.empty() && trimmed[0] == '@' ? expand_macro(trimmed) : trimmed);

  // crontab(5): day of month OR day of week when both are restricted.
  bool day_or_weekday = columns[2][0] != '*' && columns[4][0] != '*';
  CacheKey key(kWhat);
  for (const auto& column : columns) key.add(column);
  auto schedule = shared_schedules().get(key.view(), [&] {
    std::array<CronField, kFieldCount> fields;
    for (auto kind : {FieldKind::year, FieldKind::week})
      fields[static_cast<std::size_t>(kind)] = CronField::parse(kind, "*", {"", kWhat, "expr"});
    fields[static_cast<std::size_t>(FieldKind::second)] = CronField::parse(FieldKind::second, "0", {"", kWhat, "expr"});
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      std::string label = "expr field " + std::to_string(i + 1) + " (" + kColumns[i].title + ")";
      FieldErrorContext where{label, kWhat, "expr"};
      fields[static_cast<std::size_t>(kColumns[i].kind)] =
          CronField::parse(kColumns[i].kind, columns[i], where, WeekdayNumbering::crontab);
    }
    return WallSchedule(std::move(fields), day_or_weekday);
  });

  sdk::Value::Map state{{"expr", *expr}};
  options.write(state);
  std::string description = "crontab[expr='" + *expr + "']";
  return {std::move(schedule), std::move(options), sdk::Value(std::move(state)), std::move(description)};
}

}  // namespace

CrontabTrigger::CrontabTrigger(sdk::Host& host, const sdk::Value& config)
    : CronTriggerBase(shared_setup(kWhat, host, config, read_config)) {}

}  // namespace apsched::triggers::cron

#include <algorithm>
#include <vector>

#include "apsched/sdk/config.h"
#include "apsched/sdk/status.h"

namespace apsched::sdk {
namespace {

const Value::Map& map_of(const Value& config, const std::string& what) {
  static const Value::Map empty;
  if (config.is_null()) return empty;
  if (!config.is_map())
    throw Error("the " + what + " configuration must be a mapping, got " + Value::type_name(config.type()));
  return config.as_map();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::set<std::string, std::less<>>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

ConfigReader::ConfigReader(const Value& config, std::string what) : map_(map_of(config, what)), what_(std::move(what)) {
  read_.reserve(16);  // a plugin's keys, usually: one allocation
}

const Value* ConfigReader::get(std::string_view key) {
  read_.emplace_back(key);
  auto it = map_.find(key);
  if (it == map_.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

std::optional<std::int64_t> ConfigReader::integer(std::string_view key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  // A float with an integral value in range counts (YAML "3.0"); the range check comes
  // first because casting an out-of-range float is undefined.
  if (v->is_float()) {
    double d = v->as_number();
    if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
  }
  if (!v->is_int())
    throw Error("'" + std::string(key) + "' in " + what_ + " must be an integer, got " +
                    Value::type_name(v->type()),
                std::string(key));
  return v->as_int();
}

std::optional<double> ConfigReader::number(std::string_view key) {
  const Value* v = number_value(key);
  if (!v) return std::nullopt;
  return v->as_number();
}

const Value* ConfigReader::number_value(std::string_view key) {
  const Value* v = get(key);
  if (v && !v->is_number())
    throw Error("'" + std::string(key) + "' in " + what_ + " must be a number, got " + Value::type_name(v->type()),
                std::string(key));
  return v;
}

std::optional<std::string> ConfigReader::string(std::string_view key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_string())
    throw Error("'" + std::string(key) + "' in " + what_ + " must be a string, got " + Value::type_name(v->type()),
                std::string(key));
  return v->as_string();
}

std::optional<bool> ConfigReader::boolean(std::string_view key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_bool())
    throw Error("'" + std::string(key) + "' in " + what_ + " must be true or false, got " +
                    Value::type_name(v->type()),
                std::string(key));
  return v->as_bool();
}

void ConfigReader::ignore(std::string_view key) { read_.emplace_back(key); }

void ConfigReader::finish() const {
  for (const auto& [key, value] : map_) {
    if (std::find(read_.begin(), read_.end(), key) != read_.end()) continue;
    const std::set<std::string, std::less<>> allowed(read_.begin(), read_.end());
    std::string known;
    for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
    std::string suggestion = closest_match(key, allowed);
    throw Error("unknown key '" + key + "' in " + what_ +
                    (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") + " (allowed: " + known + ")",
                key);
  }
}

}  // namespace apsched::sdk

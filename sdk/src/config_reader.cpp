#include <algorithm>
#include <cstdio>
#include <cstring>
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
  asked_.resize(160);  // a plugin's keys, usually: one allocation
}

std::size_t ConfigReader::note_asked(std::string_view key) {
  const std::size_t written = asked_size_ + key.size() + 1;
  if (written > asked_.size()) asked_.resize(std::max(written, 2 * asked_.size()));
  if (!key.empty()) std::memcpy(asked_.data() + asked_size_, key.data(), key.size());
  asked_[written - 1] = '\0';
  asked_size_ = written;
  auto it = map_.find(key);
  if (it == map_.end()) return map_.size();
  const auto entry = static_cast<std::size_t>(it - map_.begin());
  if (entry < 64) {
    read_entries_ |= std::uint64_t{1} << entry;
  } else {
    if (read_beyond_.empty()) read_beyond_.resize(map_.size() - 64);
    read_beyond_[entry - 64] = true;
  }
  return entry;
}

bool ConfigReader::was_read(std::size_t entry) const noexcept {
  if (entry < 64) return (read_entries_ >> entry) & 1;
  return !read_beyond_.empty() && read_beyond_[entry - 64];
}

const Value* ConfigReader::get(std::string_view key) {
  const std::size_t entry = note_asked(key);
  if (entry == map_.size()) return nullptr;
  const Value& value = (map_.begin() + static_cast<std::ptrdiff_t>(entry))->second;
  return value.is_null() ? nullptr : &value;
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

std::optional<double> ConfigReader::seconds(std::string_view key) {
  const Value* v = seconds_value(key);
  if (!v) return std::nullopt;
  return v->as_number();
}

const Value* ConfigReader::seconds_value(std::string_view key) {
  const Value* v = number_value(key);
  if (v && !(v->as_number() >= 0 && v->as_number() <= kLongestSeconds)) {  // NaN fails both
    char given[32];
    std::snprintf(given, sizeof given, "%g", v->as_number());
    throw Error("'" + std::string(key) + "' in " + what_ +
                    " must be a number of seconds from 0 to 604800000000 (1,000,000 weeks), got " + given,
                std::string(key));
  }
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

void ConfigReader::ignore(std::string_view key) { note_asked(key); }

void ConfigReader::finish() const {
  std::size_t entry = 0;
  for (const auto& [key, value] : map_) {
    if (was_read(entry++)) continue;
    std::set<std::string, std::less<>> allowed;
    for (std::size_t at = 0, end; at < asked_size_; at = end + 1) {
      end = asked_.find('\0', at);
      allowed.emplace(asked_, at, end - at);
    }
    std::string known;
    for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
    std::string suggestion = closest_match(key, allowed);
    throw Error("unknown key '" + key + "' in " + what_ +
                    (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") + " (allowed: " + known + ")",
                key);
  }
}

}  // namespace apsched::sdk

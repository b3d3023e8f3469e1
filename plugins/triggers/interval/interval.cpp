#include "interval.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>
#include <apsched/sdk/time.h>

#include <cmath>
#include <limits>

namespace apsched::triggers {
namespace {

struct Unit {
  const char* key;
  sdk::Timestamp micros;
};
constexpr Unit kUnitTable[] = {
    {"weeks", 7 * 86400 * sdk::kMicrosPerSecond},
    {"days", 86400 * sdk::kMicrosPerSecond},
    {"hours", 3600 * sdk::kMicrosPerSecond},
    {"minutes", 60 * sdk::kMicrosPerSecond},
    {"seconds", sdk::kMicrosPerSecond},
};

// Longer intervals are refused, which keeps every sum below far from int64 overflow
// (Python's timedelta allows about 2.7 million years; nobody needs that).
constexpr long double kMaxIntervalMicros = 1'000'000.0L * 7 * 86400 * 1'000'000;

std::string number_text(const sdk::Value& v) {
  if (v.is_int()) return std::to_string(v.as_int());
  std::string json = v.to_json();
  if (json.size() > 2 && json.compare(json.size() - 2, 2, ".0") == 0) json.resize(json.size() - 2);
  return json;
}

std::string seconds_text(sdk::Timestamp micros) {
  std::string sign = micros < 0 ? "-" : "";
  sdk::Timestamp magnitude = micros < 0 ? -micros : micros;
  std::string text = sign + std::to_string(magnitude / sdk::kMicrosPerSecond);
  if (sdk::Timestamp frac = magnitude % sdk::kMicrosPerSecond) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 6 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + " seconds";
}

}  // namespace

IntervalTrigger::IntervalTrigger(sdk::Host& host, const sdk::Value& config) {
  // Read every key first (types only), so that a misspelt key is reported as such
  // rather than as what its absence causes ("secnds: 3" -> unknown key, not "no length").
  sdk::ConfigReader reader(config, "interval trigger");
  reader.ignore("type");
  for (int i = 0; i < kUnits; ++i)
    if (const sdk::Value* value = reader.number_value(kUnitTable[i].key)) components_[i] = *value;
  std::optional<std::string> timezone = reader.string("timezone");
  std::optional<std::string> start_text = reader.string("start_date");
  std::optional<std::string> end_text = reader.string("end_date");
  if (const sdk::Value* value = reader.seconds_value("jitter")) jitter_value_ = *value;
  reader.finish();

  // Integral parts are summed exactly; fractional ones in floating point, rounded to
  // microseconds half-to-even as timedelta does.
  sdk::Timestamp whole = 0;
  long double fractional = 0;
  bool overflow = false;
  const char* first_key = nullptr;  // the key errors about the length point at
  for (int i = 0; i < kUnits; ++i) {
    const sdk::Value& value = components_[i];
    if (value.is_null()) continue;
    const Unit& unit = kUnitTable[i];
    if (!std::isfinite(value.as_number()))
      throw sdk::Error(std::string("'") + unit.key + "' in interval trigger must be a finite number", unit.key);
    if (!first_key) first_key = unit.key;
    if (value.is_int()) {
      sdk::Timestamp part = 0;
      if (__builtin_mul_overflow(value.as_int(), unit.micros, &part) || __builtin_add_overflow(whole, part, &whole))
        overflow = true;
    } else {
      fractional += static_cast<long double>(value.as_number()) * static_cast<long double>(unit.micros);
    }
  }
  if (!first_key)
    throw sdk::Error(
        "interval must be positive: got no length; set weeks, days, hours, minutes and/or seconds "
        "(e.g. seconds: 30)",
        "seconds");
  // nearbyint on a long double is slow (x87), and most intervals have no fractional part.
  const long double fraction_micros = fractional == 0 ? 0 : std::nearbyint(fractional);
  long double total = static_cast<long double>(whole) + fraction_micros;
  if (overflow || std::fabs(total) > kMaxIntervalMicros)
    throw sdk::Error("interval is too long: got " + given_text() + "; the longest allowed is 1000000 weeks", first_key);
  interval_ = whole + static_cast<sdk::Timestamp>(fraction_micros);
  if (interval_ <= 0)
    throw sdk::Error("interval must be positive: got " + given_text() + " (" + seconds_text(interval_) +
                         "); make the sum of weeks, days, hours, minutes and seconds greater than zero",
                     first_key);

  timezone_ = timezone ? std::move(*timezone) : host.default_timezone();
  sdk::require_timezone(timezone_, "timezone");
  start_date_ = start_text ? sdk::parse_datetime(*start_text, timezone_, "start_date") : host.now() + interval_;
  if (end_text) end_date_ = sdk::parse_datetime(*end_text, timezone_, "end_date");

  if (!jitter_value_.is_null()) jitter_ = jitter_value_.as_number();
}

std::string IntervalTrigger::given_text() const {
  std::string given;
  for (int i = 0; i < kUnits; ++i)
    if (!components_[i].is_null())
      given += (given.empty() ? "" : ", ") + std::string(kUnitTable[i].key) + "=" + number_text(components_[i]);
  return given;
}

std::optional<sdk::Timestamp> IntervalTrigger::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                              sdk::Timestamp now) noexcept {
  sdk::Timestamp next = 0;
  if (previous) {
    if (__builtin_add_overflow(*previous, interval_, &next)) return std::nullopt;
  } else if (start_date_ > now) {
    next = start_date_;
  } else {
    // The first start_date + k * interval at or after now (ceil of the elapsed intervals).
    sdk::Timestamp elapsed = 0;
    if (__builtin_sub_overflow(now, start_date_, &elapsed)) return std::nullopt;
    sdk::Timestamp intervals = elapsed / interval_ + (elapsed % interval_ != 0 ? 1 : 0);
    sdk::Timestamp offset = 0;
    if (__builtin_mul_overflow(intervals, interval_, &offset) || __builtin_add_overflow(start_date_, offset, &next))
      return std::nullopt;
  }
  if (jitter_ && __builtin_add_overflow(next, sdk::random_delay(*jitter_), &next)) return std::nullopt;
  if (end_date_ && next > *end_date_) return std::nullopt;
  return next;
}

sdk::Value IntervalTrigger::state() const {
  sdk::Value::Map out;
  for (int i = 0; i < kUnits; ++i)
    if (!components_[i].is_null()) out.emplace(kUnitTable[i].key, components_[i]);
  out.emplace("start_date", sdk::format_datetime(start_date_, timezone_));
  if (end_date_) out.emplace("end_date", sdk::format_datetime(*end_date_, timezone_));
  out.emplace("timezone", timezone_);
  if (jitter_) out.emplace("jitter", jitter_value_);
  return out;
}

std::string IntervalTrigger::describe() const { return "interval[" + sdk::format_duration(interval_) + "]"; }

}  // namespace apsched::triggers

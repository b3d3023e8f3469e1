#include "cron_field.h"

#include <apsched/sdk/status.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

namespace apsched::triggers::cron {
namespace {

constexpr std::array<FieldInfo, kFieldCount> kFields{{
    {"year", 1970, 9999},
    {"month", 1, 12},
    {"day", 1, 31},
    {"week", 1, 53},
    {"day_of_week", 0, 6},
    {"hour", 0, 23},
    {"minute", 0, 59},
    {"second", 0, 59},
}};

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 6> kPositions{"1st", "2nd", "3rd", "4th", "5th", "last"};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool all_of(std::string_view text, int (*pred)(int)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [pred](char c) {
    return pred(static_cast<unsigned char>(c)) != 0;
  });
}

template <std::size_t N>
std::optional<int> index_of(const std::array<std::string_view, N>& names, std::string_view word) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == word) return static_cast<int>(i);
  return std::nullopt;
}

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& names) {
  std::string out;
  for (auto name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// One value of a range as written: a number or a name, already mapped to its number.
struct Bound {
  std::int64_t value = 0;
  std::string text;  // normalised: decimal number or canonical lowercase name
};

// A parsed `A`, `A-B`, `A/N`, `A-B/N`, `*` or `*/N` before it is checked against the field.
struct RangeExpr {
  std::optional<Bound> first;  // none for `*`
  std::optional<Bound> last;
  std::optional<std::int64_t> step;
};

}  // namespace

const FieldInfo& field_info(FieldKind kind) { return kFields[static_cast<std::size_t>(kind)]; }

// Parses one field; one instance per call, holding what the messages need.
class FieldParser {
 public:
  FieldParser(FieldKind kind, std::string_view text, const FieldErrorContext& where, WeekdayNumbering numbering)
      : kind_(kind), text_(text), where_(where), numbering_(numbering) {
    const FieldInfo& info = field_info(kind);
    min_ = info.min;
    max_ = crontab_weekdays() ? 7 : info.max;
    small_ = CronField::is_small(info);
  }

  CronField parse() {
    CronField field;
    field.kind_ = kind_;
    if (trim(text_) == "*") {
      // The common case needs no value table (the year field's would have 8,030 entries).
      field.allows_all_ = true;
      field.text_ = "*";
      return field;
    }
    const FieldInfo& info = field_info(kind_);
    const auto size = static_cast<std::size_t>(info.max - info.min + 1);
    if (!small_) field.large_values_.assign(size, false);
    std::string_view rest = text_;
    if (trim(rest).empty()) fail("empty value", syntax_hint());
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view token = trim(rest.substr(0, comma));
      if (token.empty()) fail("empty expression in '" + std::string(text_) + "'", syntax_hint());
      if (!field.text_.empty()) field.text_ += ',';
      field.text_ += parse_token(token, field);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    field.allows_all_ = small_
                            ? std::countr_one(field.small_values_) >= static_cast<int>(size)
                            : std::all_of(field.large_values_.begin(), field.large_values_.end(), [](bool b) { return b; });
    return field;
  }

 private:
  bool crontab_weekdays() const {
    return kind_ == FieldKind::day_of_week && numbering_ == WeekdayNumbering::crontab;
  }

  [[noreturn]] void fail(const std::string& problem, const std::string& hint = {}) const {
    throw sdk::Error(std::string(where_.label) + ": " + problem + " in " + std::string(where_.what) +
                         (hint.empty() ? "" : "; " + hint),
                     std::string(where_.key));
  }

  std::string values_hint() const {
    std::string range = "A, B in " + std::to_string(min_) + "-" + std::to_string(max_);
    if (kind_ == FieldKind::month) return range + " or jan-dec";
    if (crontab_weekdays()) return range + " (0 and 7 = sun) or sun-sat";
    if (kind_ == FieldKind::day_of_week) return range + " (0 = mon) or mon-sun";
    return range;
  }

  std::string syntax_hint() const {
    std::string hint = "expected *, */N, A, A-B, A/N or A-B/N with " + values_hint();
    if (kind_ == FieldKind::day)
      hint += ", or last, or 1st-5th or last followed by a weekday name (e.g. '2nd fri', 'last sun')";
    return hint;
  }

  std::string quoted(std::string_view part, std::string_view token) const {
    std::string out = "'" + std::string(part) + "'";
    if (part != token) out += " in '" + std::string(token) + "'";
    return out;
  }

  // A number, or a name where the field has names.
  Bound parse_bound(std::string_view part, std::string_view token) const {
    if (all_of(part, [](int c) { return std::isdigit(c); })) {
      if (part.size() > 9) fail(quoted(part, token) + " is out of range " + range_text());
      std::int64_t value = 0;
      std::from_chars(part.data(), part.data() + part.size(), value);
      return {value, std::to_string(value)};
    }
    if (!all_of(part, [](int c) { return std::isalpha(c); })) fail(not_valid(token), syntax_hint());
    std::string word = lowercase(part);
    if (kind_ == FieldKind::month) {
      if (auto i = index_of(kMonths, word)) return {*i + 1, word};
      fail(quoted(part, token) + " is not a month name", "expected " + join(kMonths) + " or 1-12");
    }
    if (kind_ == FieldKind::day_of_week) {
      if (auto i = index_of(kWeekdays, word)) return {crontab_weekdays() ? (*i + 1) % 7 : *i, word};
      fail(quoted(part, token) + " is not a weekday name",
           "expected " + join(kWeekdays) + " or " + std::string(crontab_weekdays() ? "0-7 (0 and 7 = sun)" : "0-6 (0 = mon)"));
    }
    fail(not_valid(token), syntax_hint());
  }

  std::string not_valid(std::string_view token) const { return "'" + std::string(token) + "' is not a valid expression"; }
  std::string range_text() const { return std::to_string(min_) + "-" + std::to_string(max_); }

  std::int64_t parse_step(std::string_view part, std::string_view token) const {
    if (!all_of(part, [](int c) { return std::isdigit(c); })) fail(not_valid(token), syntax_hint());
    if (part.size() > 9) fail("step " + std::string(part) + " in '" + std::string(token) + "' is too large");
    std::int64_t step = 0;
    std::from_chars(part.data(), part.data() + part.size(), step);
    if (step == 0) fail("step 0 in '" + std::string(token) + "' must be at least 1");
    return step;
  }

  RangeExpr split_range(std::string_view token) const {
    RangeExpr expr;
    std::string_view body = token;
    if (std::size_t slash = token.find('/'); slash != std::string_view::npos) {
      body = token.substr(0, slash);
      expr.step = parse_step(token.substr(slash + 1), token);
    }
    if (body == "*") return expr;
    std::size_t dash = body.find('-');
    if (dash == std::string_view::npos) {
      expr.first = parse_bound(body, token);
      return expr;
    }
    std::string_view a = body.substr(0, dash), b = body.substr(dash + 1);
    if (a.empty() || b.empty() || b.find('-') != std::string_view::npos) fail(not_valid(token), syntax_hint());
    expr.first = parse_bound(a, token);
    expr.last = parse_bound(b, token);
    // crontab: "sun" closing a range is day 7 (fri-sun), as in crontab(5)'s 5-7.
    if (crontab_weekdays() && expr.last->text == "sun" && expr.first->value > 0) expr.last->value = 7;
    return expr;
  }

  // Marks the values of a range expression; returns its normalised text.
  std::string apply_range(const RangeExpr& expr, std::string_view token, CronField& field) const {
    std::int64_t first = expr.first ? expr.first->value : min_;
    std::int64_t last = expr.last ? expr.last->value : (expr.first && !expr.step ? first : max_);
    if (expr.first && expr.last && first > last)
      fail("'" + std::string(token) + "' is an empty range: " + expr.first->text + " is after " + expr.last->text,
           "write the smaller value first");
    if (first < min_ || first > max_) fail(quoted(expr.first->text, token) + " is out of range " + range_text());
    if (last > max_) fail(quoted(expr.last->text, token) + " is out of range " + range_text());
    std::int64_t step = expr.step.value_or(1);
    if (expr.step && step > last - first)
      fail("step " + std::to_string(step) + " in '" + std::string(token) +
           "' is higher than the total range of the expression (" + std::to_string(last - first) + ")");
    for (std::int64_t v = first; v <= last; v += step) mark(field, static_cast<int>(v));
    return normalised(expr);
  }

  void mark(CronField& field, int value) const {
    int index = crontab_weekdays() ? (value + 6) % 7 : value - min_;  // crontab: 0 and 7 = Sunday
    if (small_)
      field.small_values_ |= std::uint64_t{1} << index;
    else
      field.large_values_[static_cast<std::size_t>(index)] = true;
  }

  static std::string normalised(const RangeExpr& expr) {
    std::string out = expr.first ? expr.first->text : "*";
    if (expr.last && (expr.last->text != expr.first->text || expr.step)) out += "-" + expr.last->text;
    if (expr.step) out += "/" + std::to_string(*expr.step);
    return out;
  }

  // `1st fri` .. `5th fri`, `last fri`; nullopt when the token does not have that shape.
  std::optional<std::string> parse_position(std::string_view token, CronField& field) const {
    std::size_t space = token.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto nth = index_of(kPositions, lowercase(token.substr(0, space)));
    if (!nth) return std::nullopt;
    std::string_view name = trim(token.substr(space));
    auto weekday = index_of(kWeekdays, lowercase(name));
    if (!weekday)
      fail(quoted(name, token) + " is not a weekday name", "expected " + join(kWeekdays) + " after " +
                                                              std::string(kPositions[static_cast<std::size_t>(*nth)]));
    field.positions_.push_back({*nth == 5 ? -1 : *nth, *weekday});
    return std::string(kPositions[static_cast<std::size_t>(*nth)]) + " " + std::string(kWeekdays[static_cast<std::size_t>(*weekday)]);
  }

  std::string parse_token(std::string_view token, CronField& field) const {
    if (kind_ == FieldKind::day) {
      if (lowercase(token) == "last") {
        field.last_day_ = true;
        return "last";
      }
      if (auto text = parse_position(token, field)) return *text;
    }
    return apply_range(split_range(token), token, field);
  }

  FieldKind kind_;
  std::string_view text_;
  const FieldErrorContext& where_;
  WeekdayNumbering numbering_;
  int min_ = 0;
  int max_ = 0;
  bool small_ = true;  ///< the values go into CronField::small_values_
};

CronField CronField::parse(FieldKind kind, std::string_view text, const FieldErrorContext& where,
                           WeekdayNumbering numbering) {
  return FieldParser(kind, text, where, numbering).parse();
}

bool CronField::is_small(const FieldInfo& info) noexcept {
  return static_cast<std::size_t>(info.max - info.min + 1) <= kMaskBits;
}

bool CronField::contains(int value) const noexcept {
  const FieldInfo& info = field_info(kind_);
  if (value < info.min || value > info.max) return false;
  if (allows_all_) return true;
  auto index = static_cast<std::size_t>(value - info.min);
  return is_small(info) ? (small_values_ >> index & 1) != 0 : large_values_[index];
}

int CronField::next_allowed(int from) const noexcept {
  const FieldInfo& info = field_info(kind_);
  from = std::max(from, info.min);
  if (from > info.max) return -1;
  if (allows_all_) return from;
  auto offset = static_cast<std::size_t>(from - info.min);
  if (is_small(info)) {
    std::uint64_t left = small_values_ >> offset;
    return left == 0 ? -1 : from + std::countr_zero(left);
  }
  for (; offset < large_values_.size(); ++offset)
    if (large_values_[offset]) return info.min + static_cast<int>(offset);
  return -1;
}

bool CronField::matches_day(int day, int days_in_month, int weekday_of_first) const noexcept {
  if (day > days_in_month) return false;
  if (contains(day) || (last_day_ && day == days_in_month)) return true;
  int weekday = (weekday_of_first + day - 1) % 7;
  for (const Position& p : positions_) {
    if (p.weekday != weekday) continue;
    if (p.nth < 0 ? day + 7 > days_in_month : (day - 1) / 7 == p.nth) return true;
  }
  return false;
}

}  // namespace apsched::triggers::cron

#pragma once
// One field of a cron expression (APScheduler 3.x syntax), parsed and compiled into the
// set of values it allows.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace apsched::triggers::cron {

/** The fields in APScheduler's order, most significant first. */
enum class FieldKind { year, month, day, week, day_of_week, hour, minute, second };
inline constexpr int kFieldCount = 8;

struct FieldInfo {
  const char* name;  ///< APScheduler's keyword: "day_of_week"
  int min;
  int max;
};
const FieldInfo& field_info(FieldKind kind);

/**
 * How numbers in the day-of-week field are read: APScheduler's 0 = Monday .. 6 = Sunday,
 * or crontab(5)'s 0 = Sunday .. 6 = Saturday, 7 = Sunday.
 */
enum class WeekdayNumbering { monday_first, crontab };

/**
 * Where a parse error points: the label opening the message, the trigger kind, the config
 * key. Views: the texts must outlive the parse call.
 */
struct FieldErrorContext {
  std::string_view label;  ///< "hour", or "expr field 2 (hour)"
  std::string_view what;   ///< "cron trigger"
  std::string_view key;    ///< sdk::Error field: "hour" or "expr"
};

// A compiled field: comma-separated expressions (`*`, `*/N`, `A`, `A-B`, `A/N`, `A-B/N`,
// month and weekday names, and for the day field `last`, `Nth weekday`, `last weekday`).
// A step is honoured on every form, name ranges included.
class CronField {
 public:
  /** Throws sdk::Error naming the field, the offending token and what is allowed. */
  static CronField parse(FieldKind kind, std::string_view text, const FieldErrorContext& where,
                         WeekdayNumbering numbering = WeekdayNumbering::monday_first);

  FieldKind kind() const noexcept { return kind_; }
  /** Whether `value` is allowed, ignoring the day field's month-dependent forms. */
  bool contains(int value) const noexcept;
  /** Day-of-month match including `last`, `2nd fri`, `last sun`; weekday 0 = Monday. */
  bool matches_day(int day, int days_in_month, int weekday_of_first) const noexcept;
  /** True when every value of the field's range is allowed. */
  bool allows_all() const noexcept { return allows_all_; }
  /** The smallest value >= `from` that contains() allows, or -1 when none is left in the range. */
  int next_allowed(int from) const noexcept;

  // Normalised text, as APScheduler prints it: "mon-fri", "*/5", "2nd fri".
  const std::string& text() const noexcept { return text_; }

 private:
  struct Position {
    int nth;      ///< 0..4 for 1st..5th, -1 for last
    int weekday;  ///< 0 = Monday
  };

  /** Fields of at most this many values (all but year) keep them as bits. */
  static constexpr std::size_t kMaskBits = 64;
  static bool is_small(const FieldInfo& info) noexcept;

  FieldKind kind_ = FieldKind::second;
  std::uint64_t small_values_ = 0;  ///< bit (value - min), in a small field
  std::vector<bool> large_values_;  ///< indexed by value - min, in the other (year)
  std::vector<Position> positions_;
  bool last_day_ = false;
  bool allows_all_ = false;
  std::string text_;

  friend class FieldParser;
};

}  // namespace apsched::triggers::cron

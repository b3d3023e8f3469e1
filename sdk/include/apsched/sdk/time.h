#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace apsched::sdk {

/** An instant: microseconds since 1970-01-01T00:00:00Z. */
using Timestamp = std::int64_t;
constexpr Timestamp kMicrosPerSecond = 1'000'000;

/** A wall-clock date and time, without a zone. */
struct CivilTime {
  int year = 1970;
  int month = 1;   ///< 1..12
  int day = 1;     ///< 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int microsecond = 0;
};

/** What a zone says about an instant. */
struct ZonedTime {
  CivilTime local;
  int utc_offset_seconds = 0;
  std::string abbreviation;  ///< "CEST"
};

/** True when `zone` names an IANA zone of the system's tzdata. */
bool is_valid_timezone(std::string_view zone) noexcept;

/** Throws sdk::Error("unknown time zone 'X' ...", field) when the zone does not exist. */
void require_timezone(std::string_view zone, std::string_view field);

/**
 * The tzdata zone named `zone` (from the date library, which the SDK links), for plugins
 * that walk a zone's offsets themselves. Looked up once per thread and name in a row, as
 * every zone lookup of the SDK is; throws as require_timezone does.
 */
const date::time_zone& find_timezone(std::string_view zone, std::string_view field);

/** The host's local zone name (from /etc/localtime or TZ), "UTC" if undeterminable. */
std::string local_timezone_name();

ZonedTime to_zoned(Timestamp t, std::string_view zone);

/**
 * The instant a wall-clock time denotes in `zone`. In a repeated (fall-back) interval the
 * first occurrence is taken (PEP 495 fold=0); a time inside a gap (spring forward) is
 * shifted forward by the gap length (02:30 on the change day in Berlin is 03:30 CEST).
 */
Timestamp from_civil(const CivilTime& local, std::string_view zone);

/** As from_civil, but the second occurrence in a repeated interval (fold=1). */
Timestamp from_civil_fold(const CivilTime& local, std::string_view zone);

/**
 * Parses "2026-06-10", "2026-06-10T12:00:00[.ffffff]" (naive: read in `zone` as
 * from_civil does), a space instead of 'T', and a "Z" or "+05:30" suffix.
 * Throws sdk::Error naming `field` and the accepted forms on bad input.
 */
Timestamp parse_datetime(std::string_view text, std::string_view zone, std::string_view field = {});

/** "2026-03-29T03:30:00+02:00"; microseconds are shown only when not zero. */
std::string format_datetime(Timestamp t, std::string_view zone);

/**
 * Jitter: a uniform random delay in [0, max_seconds], in microseconds; 0 when
 * max_seconds <= 0. Safe to call from any thread.
 */
Timestamp random_delay(double max_seconds);

/** A duration as APScheduler prints timedeltas: "0:00:03", "1 day, 2:00:00", "0:00:00.500000". */
std::string format_duration(Timestamp micros);

}  // namespace apsched::sdk

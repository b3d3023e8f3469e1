#pragma once
// Helpers shared by the plugin unit tests.
#include <apsched/sdk/status.h>
#include <apsched/sdk/time.h>
#include <apsched/sdk/value.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace Catch {
template <>
struct StringMaker<apsched::sdk::Value> {
  static std::string convert(const apsched::sdk::Value& v) {
    try {
      return v.to_json();
    } catch (const apsched::sdk::Error&) {
      return "<non-finite float>";
    }
  }
};
template <>
struct StringMaker<std::optional<apsched::sdk::Timestamp>> {
  static std::string convert(const std::optional<apsched::sdk::Timestamp>& t) {
    return t ? std::to_string(*t) : "nullopt";
  }
};
}  // namespace Catch

namespace apsched::testing {

/** An instant from ISO text with an offset (or naive, read as UTC). */
inline sdk::Timestamp at(std::string_view iso) { return sdk::parse_datetime(iso, "UTC"); }

/** An optional instant in `zone`, "none" when empty: readable failure messages. */
inline std::string iso(const std::optional<sdk::Timestamp>& t, std::string_view zone = "UTC") {
  return t ? sdk::format_datetime(*t, zone) : "none";
}

/** The sdk::Error `fn` throws; fails the test when it throws none. */
template <typename Fn>
sdk::Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const sdk::Error& e) {
    return e;
  }
  FAIL("no sdk::Error thrown");
  return sdk::Error("");
}

}  // namespace apsched::testing

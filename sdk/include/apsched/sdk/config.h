#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "apsched/sdk/value.h"

namespace apsched::sdk {

/**
 * Reads a plugin's configuration map with precise errors. Every key a plugin reads is
 * recorded; `finish()` rejects the keys it did not read, so a typo such as `secnds`
 * is an error ("unknown key 'secnds' in interval trigger; did you mean 'seconds'?")
 * instead of being silently ignored.
 *
 * Errors are sdk::Error with `field` set to the key, which the host maps to the
 * key's file:line:column.
 */
class ConfigReader {
 public:
  /** `what` names the thing being configured in messages, e.g. "interval trigger". */
  ConfigReader(const Value& config, std::string what);

  const Value* get(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<double> number(std::string_view key);
  /** As number(), but the value itself (integer or float), for a plugin that keeps it as given. */
  const Value* number_value(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  /** A key accepted but not used (e.g. `type`, read by the host). */
  void ignore(std::string_view key);

  /** Throws sdk::Error for the first key that was not read. */
  void finish() const;

  const std::string& what() const noexcept { return what_; }

 private:
  const Value::Map& map_;
  std::string what_;
  std::vector<std::string> read_;  ///< keys asked for, in order (a vector: readers are made per trigger)
};

/** "did you mean 'x'?" helper: the closest candidate by edit distance, or empty. */
std::string closest_match(std::string_view word, const std::set<std::string, std::less<>>& candidates);

}  // namespace apsched::sdk

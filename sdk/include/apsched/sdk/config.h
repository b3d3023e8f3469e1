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
  /**
   * A length of time in seconds (a jitter, a delay, a grace period): a number from 0 to
   * kLongestSeconds, else sdk::Error naming the key; NaN and infinities are refused.
   */
  std::optional<double> seconds(std::string_view key);
  /** As seconds(), but the value itself, for a plugin that keeps it as given. */
  const Value* seconds_value(std::string_view key);
  /** 1,000,000 weeks: the longest seconds() takes (an interval trigger's longest length too). */
  static constexpr double kLongestSeconds = 604'800'000'000.0;
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  /** A key accepted but not used (e.g. `type`, read by the host). */
  void ignore(std::string_view key);

  /** Throws sdk::Error for the first key that was not read. */
  void finish() const;

  const std::string& what() const noexcept { return what_; }

 private:
  /** Records that `key` was asked for; the index of its entry in map_, or map_.size(). */
  std::size_t note_asked(std::string_view key);
  bool was_read(std::size_t entry) const noexcept;

  const Value::Map& map_;
  std::string what_;
  // A reader is made for every trigger: what it records costs no allocation per key.
  std::string asked_;               ///< every key asked for, each followed by '\0', then room
  std::size_t asked_size_ = 0;      ///< the bytes of asked_ written
  std::uint64_t read_entries_ = 0;  ///< bit i: map_'s entry i was asked for (entries 0 to 63)
  std::vector<bool> read_beyond_;   ///< the same for entries 64 and up (rare: made on first use)
};

/** "did you mean 'x'?" helper: the closest candidate by edit distance, or empty. */
std::string closest_match(std::string_view word, const std::set<std::string, std::less<>>& candidates);

}  // namespace apsched::sdk

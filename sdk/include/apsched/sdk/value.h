#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "apsched/sdk/export.h"

namespace apsched::sdk {

/**
 * Plain data: null, bool, integer, float, string, list or map. Job arguments, plugin
 * configuration and persisted trigger state are all Values, so every store can keep
 * them and every process boundary can carry them.
 *
 * THREADING: a Value is a regular value type; concurrent reads are safe, writes are not.
 */
class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value, std::less<>>;
  enum class Type { null, boolean, integer, floating, string, list, map };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(unsigned i) : data_(static_cast<std::int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(List l) : data_(std::move(l)) {}
  Value(Map m) : data_(std::move(m)) {}

  Type type() const noexcept { return static_cast<Type>(data_.index()); }
  bool is_null() const noexcept { return type() == Type::null; }
  bool is_bool() const noexcept { return type() == Type::boolean; }
  bool is_int() const noexcept { return type() == Type::integer; }
  bool is_float() const noexcept { return type() == Type::floating; }
  bool is_number() const noexcept { return is_int() || is_float(); }
  bool is_string() const noexcept { return type() == Type::string; }
  bool is_list() const noexcept { return type() == Type::list; }
  bool is_map() const noexcept { return type() == Type::map; }

  /** Typed access; throws sdk::Error "expected <type>, got <type>" on a mismatch. */
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_number() const;  ///< integer or float
  const std::string& as_string() const;
  const List& as_list() const;
  List& as_list();
  const Map& as_map() const;
  Map& as_map();

  /** Map lookup; nullptr when this is not a map or the key is absent. */
  const Value* find(std::string_view key) const noexcept;

  /** Compact JSON (strings escaped, floats round-trip exactly). */
  std::string to_json() const;
  /** Parses JSON; throws sdk::Error naming the byte offset on bad input. */
  static Value from_json(std::string_view text);

  /** "null", "bool", "integer", "float", "string", "list", "map". */
  static const char* type_name(Type t) noexcept;

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Map> data_;
};

}  // namespace apsched::sdk

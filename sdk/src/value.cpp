#include "apsched/sdk/value.h"

#include "apsched/sdk/status.h"

namespace apsched::sdk {

const char* Value::type_name(Type t) noexcept {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "bool";
    case Type::integer: return "integer";
    case Type::floating: return "float";
    case Type::string: return "string";
    case Type::list: return "list";
    case Type::map: return "map";
  }
  return "?";
}

void Value::type_mismatch(Type wanted) const {
  throw Error(std::string("expected ") + type_name(wanted) + ", got " + type_name(type()));
}

const Value::List& Value::empty_list() noexcept {
  static const List empty;
  return empty;
}

const Value::Map& Value::empty_map() noexcept {
  static const Map empty;
  return empty;
}

double Value::as_number() const {
  if (is_int()) return static_cast<double>(std::get<std::int64_t>(data_));
  if (!is_float()) throw Error(std::string("expected a number, got ") + type_name(type()));
  return std::get<double>(data_);
}

Value::List& Value::as_list() {
  if (!is_list()) type_mismatch(Type::list);
  return std::get<detail::CopyOnWrite<List>>(data_).mutate();
}

Value::Map& Value::as_map() {
  if (!is_map()) type_mismatch(Type::map);
  return std::get<detail::CopyOnWrite<Map>>(data_).mutate();
}

}  // namespace apsched::sdk

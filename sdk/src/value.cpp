#include "apsched/sdk/value.h"

#include "apsched/sdk/status.h"

namespace apsched::sdk {
namespace {

[[noreturn]] void type_mismatch(Value::Type wanted, Value::Type got) {
  throw Error(std::string("expected ") + Value::type_name(wanted) + ", got " + Value::type_name(got));
}

}  // namespace

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

bool Value::as_bool() const {
  if (!is_bool()) type_mismatch(Type::boolean, type());
  return std::get<bool>(data_);
}

std::int64_t Value::as_int() const {
  if (!is_int()) type_mismatch(Type::integer, type());
  return std::get<std::int64_t>(data_);
}

double Value::as_number() const {
  if (is_int()) return static_cast<double>(std::get<std::int64_t>(data_));
  if (!is_float()) throw Error(std::string("expected a number, got ") + type_name(type()));
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  if (!is_string()) type_mismatch(Type::string, type());
  return std::get<std::string>(data_);
}

const Value::List& Value::as_list() const {
  if (!is_list()) type_mismatch(Type::list, type());
  static const List empty;
  const List* list = std::get<detail::CopyOnWrite<List>>(data_).get();
  return list ? *list : empty;
}

Value::List& Value::as_list() {
  if (!is_list()) type_mismatch(Type::list, type());
  return std::get<detail::CopyOnWrite<List>>(data_).mutate();
}

const Value::Map& Value::as_map() const {
  if (!is_map()) type_mismatch(Type::map, type());
  static const Map empty;
  const Map* map = std::get<detail::CopyOnWrite<Map>>(data_).get();
  return map ? *map : empty;
}

Value::Map& Value::as_map() {
  if (!is_map()) type_mismatch(Type::map, type());
  return std::get<detail::CopyOnWrite<Map>>(data_).mutate();
}

const Value* Value::find(std::string_view key) const noexcept {
  if (!is_map()) return nullptr;
  const Map* map = std::get<detail::CopyOnWrite<Map>>(data_).get();
  if (!map) return nullptr;
  auto it = map->find(key);
  return it == map->end() ? nullptr : &it->second;
}

}  // namespace apsched::sdk

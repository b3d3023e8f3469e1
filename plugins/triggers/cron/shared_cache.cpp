#include "shared_cache.h"

#include <cstring>

namespace apsched::triggers::cron {

SharedCache<WallSchedule>& shared_schedules() {
  static SharedCache<WallSchedule> cache;
  return cache;
}

CacheKey::CacheKey(std::string_view type) {
  key_.reserve(128);  // a schedule's eight texts or a small config: built without growing
  add(type);
}

void CacheKey::add_length(std::size_t length) { key_.append(reinterpret_cast<const char*>(&length), sizeof length); }

void CacheKey::add(std::string_view text) {
  add_length(text.size());
  key_.append(text);
}

void CacheKey::add_tagged(char type, std::string_view text) {
  add_length(text.size() + 1);
  key_ += type;
  key_.append(text);
}

bool CacheKey::add_value(const sdk::Value& value) {
  auto bytes_of = [](const auto& number) {
    return std::string_view(reinterpret_cast<const char*>(&number), sizeof number);
  };
  switch (value.type()) {
    case sdk::Value::Type::null: add_tagged('n', {}); return true;
    case sdk::Value::Type::boolean: add_tagged('b', value.as_bool() ? "1" : "0"); return true;
    case sdk::Value::Type::integer: add_tagged('i', bytes_of(value.as_int())); return true;
    case sdk::Value::Type::floating: add_tagged('f', bytes_of(value.as_number())); return true;
    case sdk::Value::Type::string: add_tagged('s', value.as_string()); return true;
    case sdk::Value::Type::list:
    case sdk::Value::Type::map: return false;
  }
  return false;
}

bool CacheKey::same_values(const sdk::Value& a, const sdk::Value& b) {
  if (!(a == b)) return false;  // Value equality tells types apart; only floats need more
  auto same_float = [](const sdk::Value& x, const sdk::Value& y) {
    if (!x.is_float()) return true;
    const double p = x.as_number();
    const double q = y.as_number();
    return std::memcmp(&p, &q, sizeof p) == 0;
  };
  if (!a.is_map()) return same_float(a, b);
  for (auto x = a.as_map().begin(), y = b.as_map().begin(); x != a.as_map().end(); ++x, ++y)
    if (!same_float(x->second, y->second)) return false;
  return true;
}

}  // namespace apsched::triggers::cron

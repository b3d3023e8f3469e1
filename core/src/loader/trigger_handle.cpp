#include "loader/trigger_handle.h"

#include <vector>

namespace apsched::core::detail {

std::unique_ptr<TriggerHandle> TriggerHandle::create(PluginCatalog& catalog, const sdk::Value& spec,
                                                     sdk::Host& host) {
  auto trigger = create_plugin_object<sdk::Trigger>(catalog, PluginKind::trigger, spec, host);
  std::string type = trigger->library().type_name();
  return std::unique_ptr<TriggerHandle>(new TriggerHandle(std::move(trigger), std::move(type)));
}

namespace {

// 9999-12-31T23:59:59.999999Z, the last instant APScheduler (Python's datetime) can name:
// a plugin's fire time past it (an interval near the end of time) ends the trigger.
constexpr sdk::Timestamp kLatestFireTime = 253'402'300'799'999'999;

}  // namespace

std::optional<sdk::Timestamp> TriggerHandle::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                            sdk::Timestamp now) noexcept {
  std::optional<sdk::Timestamp> next = (*trigger_)->next_fire_time(previous, now);
  if (next && *next > kLatestFireTime) return std::nullopt;
  return next;
}

sdk::Value TriggerHandle::state() const { return (*trigger_)->state(); }
std::string TriggerHandle::describe() const { return (*trigger_)->describe(); }
std::string TriggerHandle::timezone() const { return (*trigger_)->timezone(); }

namespace {

/** The spec built last on this thread, and the state it was built from. */
struct LastSpec {
  std::string type;
  sdk::Value state;  // held, so that its map's address cannot be reused by another map
  sdk::Value spec;

  bool built_from(const std::string& other_type, const sdk::Value& other_state) const {
    return state.is_map() && other_state.is_map() && &state.as_map() == &other_state.as_map() && type == other_type;
  }
};

}  // namespace

sdk::Value TriggerHandle::spec() const {
  const sdk::Value state = this->state();
  // Triggers of one configuration may share their state's map (the cron plugins keep one
  // per configuration): the spec built from that very map is then built once per thread.
  thread_local LastSpec last;
  if (last.built_from(type_, state)) return last.spec;
  // Built at its size: the state's own map (shared, and exactly full) would be copied and
  // then grown to take the type.
  std::vector<sdk::Value::Map::value_type> entries;
  bool typed = false;
  if (state.is_map()) {
    entries.reserve(state.as_map().size() + 1);
    for (const auto& entry : state.as_map()) {
      if (!typed && entry.first > "type") {
        entries.emplace_back("type", type_);
        typed = true;
      }
      if (entry.first != "type") entries.push_back(entry);
    }
  }
  if (!typed) entries.emplace_back("type", type_);
  sdk::Value spec = sdk::Value::Map::from_entries(std::move(entries));  // in key order: nothing to sort
  last = LastSpec{type_, state, spec};
  return spec;
}

}  // namespace apsched::core::detail

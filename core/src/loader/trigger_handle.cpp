#include "loader/trigger_handle.h"

namespace apsched::core::detail {

std::unique_ptr<TriggerHandle> TriggerHandle::create(PluginCatalog& catalog, const sdk::Value& spec,
                                                     sdk::Host& host) {
  auto trigger = create_plugin_object<sdk::Trigger>(catalog, PluginKind::trigger, spec, host);
  std::string type = trigger->library().type_name();
  return std::unique_ptr<TriggerHandle>(new TriggerHandle(std::move(trigger), std::move(type)));
}

std::optional<sdk::Timestamp> TriggerHandle::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                            sdk::Timestamp now) noexcept {
  return (*trigger_)->next_fire_time(previous, now);
}

sdk::Value TriggerHandle::state() const { return (*trigger_)->state(); }
std::string TriggerHandle::describe() const { return (*trigger_)->describe(); }
std::string TriggerHandle::timezone() const { return (*trigger_)->timezone(); }

sdk::Value TriggerHandle::spec() const {
  sdk::Value spec = state();
  if (!spec.is_map()) spec = sdk::Value::Map{};
  spec.as_map().insert_or_assign("type", type_);
  return spec;
}

}  // namespace apsched::core::detail

#pragma once
#include <memory>
#include <string>

#include "apsched/sdk/trigger.h"
#include "loader/plugin_catalog.h"

namespace apsched::core::detail {

/**
 * A trigger as the kernel holds it: the plugin object plus its library, and its type
 * name. Also what Host::create_trigger hands to combining triggers.
 */
class TriggerHandle final : public sdk::Trigger {
 public:
  /** Throws SchedulerError/LoadError on a bad spec. */
  static std::unique_ptr<TriggerHandle> create(PluginCatalog& catalog, const sdk::Value& spec, sdk::Host& host);

  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override;
  std::string describe() const override;
  std::string timezone() const override;

  const std::string& type() const noexcept { return type_; }
  /** `{type: ..., <state>}`: the spec that recreates this trigger. */
  sdk::Value spec() const;

 private:
  TriggerHandle(std::unique_ptr<PluginObject<sdk::Trigger>> trigger, std::string type)
      : trigger_(std::move(trigger)), type_(std::move(type)) {}

  std::unique_ptr<PluginObject<sdk::Trigger>> trigger_;
  std::string type_;
};

}  // namespace apsched::core::detail

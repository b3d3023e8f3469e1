#include "apsched/core/trigger_preview.h"

#include "loader/default_paths.h"
#include "loader/trigger_handle.h"
#include "scheduler/kernel_host.h"

namespace apsched::core {

TriggerPreview preview_trigger(const TriggerSpec& trigger, Timestamp from, int count, const SchedulerOptions& options) {
  ManualClock clock(from);
  detail::PluginCatalog catalog(detail::with_default(options.plugin_path, detail::default_plugin_dir()),
                                options.base_directory);
  std::string zone = options.timezone.empty() ? sdk::local_timezone_name() : options.timezone;
  detail::KernelHost host(clock, zone, options.base_directory.string(), catalog);
  auto handle = detail::TriggerHandle::create(catalog, trigger.config, host);

  TriggerPreview preview{{}, handle->timezone()};
  std::optional<Timestamp> next = handle->next_fire_time(std::nullopt, from);
  while (next && static_cast<int>(preview.times.size()) < count) {
    preview.times.push_back(*next);
    std::optional<Timestamp> following = handle->next_fire_time(next, *next);
    if (following && *following <= *next)
      throw SchedulerError("trigger " + handle->describe() + " returned " + sdk::format_datetime(*following, zone) +
                           " after " + sdk::format_datetime(*next, zone) + ": fire times must increase");
    next = following;
  }
  return preview;
}

}  // namespace apsched::core

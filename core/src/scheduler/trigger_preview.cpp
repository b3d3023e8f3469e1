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

  // The fire time after `previous`, with `now` as the trigger's now.
  auto after = [&](Timestamp previous, Timestamp now) {
    std::optional<Timestamp> following = handle->next_fire_time(previous, now);
    if (following && *following <= previous)
      throw SchedulerError("trigger " + handle->describe() + " returned " + sdk::format_datetime(*following, zone) +
                           " after " + sdk::format_datetime(previous, zone) + ": fire times must increase");
    return following;
  };
  TriggerPreview preview{{}, handle->timezone()};
  std::optional<Timestamp> next = handle->next_fire_time(std::nullopt, from);
  // A date trigger's first time is its run date even when that has passed (a job added
  // late still runs within its misfire grace time, as in APScheduler); a preview shows
  // what comes at or after `from` only.
  while (next && *next < from) next = after(*next, from);
  while (next && static_cast<int>(preview.times.size()) < count) {
    preview.times.push_back(*next);
    next = after(*next, *next);
  }
  return preview;
}

}  // namespace apsched::core

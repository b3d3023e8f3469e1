// `apsched next`: a trigger's fire times, as the conformance suite and users read them.
#include <charconv>
#include <iostream>

#include "apsched/core/errors.h"
#include "apsched/core/trigger_preview.h"
#include "apsched/sdk/status.h"
#include "cli.h"

namespace apsched::host {
namespace {

int parse_count(const std::string& text) {
  int count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count < 1)
    throw UsageError("--count needs a positive integer, got '" + text + "'");
  return count;
}

}  // namespace

int next_command(const std::vector<std::string>& args) {
  Options options(args, {{"--trigger", "trigger"}, {"-t", "trigger"}, {"--from", "from"}, {"--count", "count"},
                         {"-n", "count"}, {"--timezone", "timezone"}});
  auto trigger_text = options.get("trigger");
  if (!trigger_text) throw UsageError("next needs --trigger 'YAML', e.g. --trigger '{type: cron, hour: 9}'");
  int count = options.get("count") ? parse_count(*options.get("count")) : 5;
  setup_logging("warning", true);

  core::SchedulerOptions scheduler_options;
  scheduler_options.timezone = options.get("timezone").value_or("");
  if (options.get("timezone") && scheduler_options.timezone.empty())
    throw UsageError("--timezone needs a zone name, e.g. --timezone Europe/Berlin");
  if (!scheduler_options.timezone.empty() && !sdk::is_valid_timezone(scheduler_options.timezone))
    throw UsageError("--timezone: unknown time zone '" + scheduler_options.timezone + "'");
  std::string zone = scheduler_options.timezone.empty() ? sdk::local_timezone_name() : scheduler_options.timezone;

  core::Timestamp from = core::SystemClock().now();
  if (auto text = options.get("from")) {
    try {
      from = sdk::parse_datetime(*text, zone, "--from");
    } catch (const sdk::Error& e) {
      throw UsageError(std::string("--from: ") + e.what());
    }
  }
  try {
    core::TriggerSpec trigger = core::TriggerSpec::from_yaml(*trigger_text);
    core::TriggerPreview preview = core::preview_trigger(trigger, from, count, scheduler_options);
    for (core::Timestamp t : preview.times) std::cout << sdk::format_datetime(t, preview.timezone) << "\n";
    if (preview.times.empty())
      std::cerr << "apsched: the trigger has no fire time at or after " << sdk::format_datetime(from, zone) << "\n";
  } catch (const core::SchedulerError& e) {
    std::cerr << "apsched: invalid trigger" << (e.field().empty() ? "" : " (" + e.field() + ")") << ": " << e.what()
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace apsched::host

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli.h"

namespace apsched::host {

void setup_logging(const std::string& level, bool to_stderr) {
  auto logger = to_stderr ? spdlog::stderr_color_mt("apsched") : spdlog::stdout_color_mt("apsched");
  // Every time shown carries its UTC offset.
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e%z %^%-7l%$ %v");
  logger->set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace apsched::host

// `apsched check` and `apsched jobs`, and what they share with `run`.
#include <iostream>

#include "apsched/core/config.h"
#include "apsched/core/errors.h"
#include "cli.h"

namespace apsched::host {

std::optional<core::Config> load_config_or_report(const std::string& file) {
  try {
    return core::Config::load(file);
  } catch (const core::SchedulerError& e) {
    std::cerr << "apsched: " << e.what() << "\n";
    return std::nullopt;
  }
}

bool report_problems(const std::vector<std::string>& problems, const std::string& file) {
  for (const auto& problem : problems) std::cerr << problem << "\n";
  if (!problems.empty())
    std::cerr << "apsched: " << file << " has " << problems.size() << " problem" << (problems.size() == 1 ? "" : "s")
              << "; fix " << (problems.size() == 1 ? "it" : "them") << " and try again\n";
  return problems.empty();
}

namespace {

const std::map<std::string, std::string> kConfigOption{{"-c", "config"}, {"--config", "config"}};

std::string required_config(const Options& options, const char* command) {
  auto file = options.get("config");
  if (!file) throw UsageError(std::string(command) + " needs -c CONFIG");
  return *file;
}

}  // namespace

int check_command(const std::vector<std::string>& args) {
  std::string file = required_config(Options(args, kConfigOption), "check");
  setup_logging("error", true);
  auto config = load_config_or_report(file);
  if (!config) return 1;
  if (!report_problems(core::validate(*config), file)) return 1;
  std::cout << file << ": OK (" << config->jobs().size() << " job" << (config->jobs().size() == 1 ? "" : "s") << ", "
            << config->jobstores().size() << " job store(s), " << config->executors().size()
            << " executor(s) configured)\n";
  return 0;
}

int jobs_command(const std::vector<std::string>& args) {
  std::string file = required_config(Options(args, kConfigOption), "jobs");
  setup_logging("warning", true);
  auto config = load_config_or_report(file);
  if (!config) return 1;
  try {
    core::Scheduler scheduler(config->options());
    // The stores are listed even when some of the config is wrong: what they hold (and why
    // a job cannot run, e.g. its library is missing) is what one looks for then.
    const bool configured = report_problems(core::configure(scheduler, *config), file);
    scheduler.print_jobs(std::cout);
    return configured ? 0 : 1;
  } catch (const core::SchedulerError& e) {
    std::cerr << "apsched: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace apsched::host

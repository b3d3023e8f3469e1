#pragma once
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "apsched/core/config.h"

namespace apsched::host {

/** A command-line mistake: exit status 2, with the command's usage. */
class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** `--name value` / `-n value` options of one subcommand; anything else is a UsageError. */
class Options {
 public:
  /** `known` maps every accepted spelling ("-c", "--config") to its canonical name. */
  Options(const std::vector<std::string>& args, const std::map<std::string, std::string>& known,
          const std::set<std::string>& flags = {});
  std::optional<std::string> get(const std::string& name) const;
  bool flag(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

int run_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int next_command(const std::vector<std::string>& args);
int jobs_command(const std::vector<std::string>& args);

/**
 * Sets up spdlog: level name as in the config ("info", "warning", ...). The host logs
 * to stdout; commands whose stdout is their result log to stderr.
 */
void setup_logging(const std::string& level, bool to_stderr);

/** Loads a config, printing the error and returning nullopt when it is invalid. */
std::optional<core::Config> load_config_or_report(const std::string& file);

/** Prints configure()'s problems to stderr; true when there were none. */
bool report_problems(const std::vector<std::string>& problems, const std::string& file);

}  // namespace apsched::host

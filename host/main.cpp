// The apsched command: run, check, next, jobs.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

namespace {

constexpr const char* kUsage =
    "usage: apsched <command> [options]\n"
    "\n"
    "commands:\n"
    "  run   [-c CONFIG]                           run the scheduler host (default config: configs/default.yaml)\n"
    "  check  -c CONFIG                            validate a config: plugins, job references, triggers\n"
    "  next  -t 'YAML' [--from ISO] [-n N] [--timezone ZONE]\n"
    "                                              print a trigger's next fire times\n"
    "  jobs   -c CONFIG                            list the jobs in the configured stores\n"
    "\n"
    "-c is also --config, -t --trigger, -n --count; a long option takes its value after '=' too\n"
    "(--count=3). -h, --help or help: this text.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (std::find_if(args.begin(), args.end(), [](const std::string& a) { return a == "-h" || a == "--help"; }) !=
      args.end()) {
    std::cout << kUsage;
    return 0;
  }
  try {
    if (command == "run") return apsched::host::run_command(args);
    if (command == "check") return apsched::host::check_command(args);
    if (command == "next") return apsched::host::next_command(args);
    if (command == "jobs") return apsched::host::jobs_command(args);
    throw apsched::host::UsageError("unknown command '" + command + "'");
  } catch (const apsched::host::UsageError& e) {
    std::cerr << "apsched: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
}

#include "cli.h"

namespace apsched::host {

Options::Options(const std::vector<std::string>& args, const std::map<std::string, std::string>& known,
                 const std::set<std::string>& flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto it = known.find(arg);
    if (it == known.end()) throw UsageError("unknown argument '" + args[i] + "'");
    if (values_.count(it->second)) throw UsageError(arg + " is given twice (also as another spelling of it?)");
    if (flags.count(it->second)) {
      values_[it->second] = "";
      continue;
    }
    if (inline_value) {
      values_[it->second] = *inline_value;
    } else {
      if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
      values_[it->second] = args[++i];
    }
  }
}

std::optional<std::string> Options::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace apsched::host

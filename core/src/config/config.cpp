// Loading the YAML config with exact locations for every error.
#include "apsched/core/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "apsched/core/errors.h"
#include "apsched/sdk/config.h"
#include "apsched/sdk/status.h"
#include "config/yaml_value.h"

namespace apsched::core {
namespace fs = std::filesystem;

/** Walks the parsed config; every error names file:line:column. */
class ConfigReaderImpl {
 public:
  explicit ConfigReaderImpl(Config& config) : config_(config) {}

  void read(const Value& root) {
    if (root.is_null()) return;
    const auto& top = map_at(root, "", "the config file");
    allow_keys(top, "", "the config file", {"scheduler", "jobstores", "executors", "job_defaults", "jobs"});
    if (const Value* v = root.find("scheduler")) read_scheduler(*v);
    if (const Value* v = root.find("job_defaults")) read_job_defaults(*v);
    if (const Value* v = root.find("jobstores")) config_.jobstores_ = read_plugins(*v, "jobstores", "job store");
    if (const Value* v = root.find("executors")) config_.executors_ = read_plugins(*v, "executors", "executor");
    if (const Value* v = root.find("jobs")) read_jobs(*v);
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw ConfigError(config_.where(path) + ": " + message);
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  const Value::Map& map_at(const Value& v, const std::string& path, const std::string& what) const {
    if (!v.is_map()) fail(path, what + " must be a mapping (key: value), got " + Value::type_name(v.type()));
    return v.as_map();
  }

  void allow_keys(const Value::Map& map, const std::string& path, const std::string& what,
                  std::set<std::string, std::less<>> allowed) const {
    for (const auto& [key, value] : map) {
      if (allowed.count(key)) continue;
      std::string suggestion = sdk::closest_match(key, allowed);
      std::string listed;
      for (const auto& a : allowed) listed += (listed.empty() ? "" : ", ") + a;
      std::string key_path = join(path, key);
      throw ConfigError(config_.where(key_path + "#key") + ": unknown key '" + key + "' in " + what +
                        (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") + " (allowed: " + listed +
                        ")");
    }
  }

  std::string string_at(const Value& v, const std::string& path) const {
    if (v.is_int()) return std::to_string(v.as_int());
    if (!v.is_string()) fail(path, "expected a string, got " + std::string(Value::type_name(v.type())));
    return v.as_string();
  }

  bool bool_at(const Value& v, const std::string& path) const {
    if (!v.is_bool()) fail(path, "expected true or false, got " + std::string(Value::type_name(v.type())));
    return v.as_bool();
  }

  double number_at(const Value& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "expected a number, got " + std::string(Value::type_name(v.type())));
    return v.as_number();
  }

  int int_at(const Value& v, const std::string& path) const {
    if (!v.is_int()) fail(path, "expected an integer, got " + std::string(Value::type_name(v.type())));
    if (v.as_int() < std::numeric_limits<int>::min() || v.as_int() > std::numeric_limits<int>::max())
      fail(path, "the integer " + std::to_string(v.as_int()) + " is out of range");
    return static_cast<int>(v.as_int());
  }

  GraceTime grace_at(const Value& v, const std::string& path) const {
    if (v.is_null()) return std::nullopt;
    double seconds = number_at(v, path);
    if (seconds <= 0) fail(path, "misfire_grace_time must be a positive number of seconds, or null for no limit");
    return seconds;
  }

  Timeout timeout_at(const Value& v, const std::string& path) const {
    if (v.is_null()) return std::nullopt;
    double seconds = number_at(v, path);
    if (!(seconds > 0)) fail(path, "timeout must be a positive number of seconds, or null for no limit");
    return seconds;
  }

  std::vector<fs::path> paths_at(const Value& v, const std::string& path) const {
    std::vector<fs::path> out;
    auto add = [&](const Value& item, const std::string& item_path) {
      fs::path p = string_at(item, item_path);
      out.push_back(p.is_relative() ? (config_.file_.parent_path() / p).lexically_normal() : p);
    };
    if (v.is_list()) {
      for (std::size_t i = 0; i < v.as_list().size(); ++i)
        add(v.as_list()[i], path + "[" + std::to_string(i) + "]");
    } else {
      add(v, path);
    }
    return out;
  }

  void read_scheduler(const Value& v) {
    const auto& map = map_at(v, "scheduler", "'scheduler'");
    allow_keys(map, "scheduler", "'scheduler'",
               {"timezone", "plugin_path", "job_path", "watch_job_path", "instance_id", "log_level",
                "release_freed_memory", "decoded_jobs_kept"});
    SchedulerOptions& o = config_.options_;
    if (const Value* tz = v.find("timezone"); tz && !tz->is_null()) {
      o.timezone = string_at(*tz, "scheduler.timezone");
      try {
        sdk::require_timezone(o.timezone, "timezone");
      } catch (const sdk::Error& e) {
        fail("scheduler.timezone", e.what());
      }
    }
    if (const Value* p = v.find("plugin_path")) o.plugin_path = paths_at(*p, "scheduler.plugin_path");
    if (const Value* p = v.find("job_path")) o.job_path = paths_at(*p, "scheduler.job_path");
    if (const Value* w = v.find("watch_job_path")) o.watch_job_path = bool_at(*w, "scheduler.watch_job_path");
    if (const Value* id = v.find("instance_id")) o.instance_id = string_at(*id, "scheduler.instance_id");
    if (const Value* r = v.find("release_freed_memory"))
      o.release_freed_memory = bool_at(*r, "scheduler.release_freed_memory");
    if (const Value* k = v.find("decoded_jobs_kept")) {
      const int kept = int_at(*k, "scheduler.decoded_jobs_kept");
      if (kept < static_cast<int>(SchedulerOptions::kFewestDecodedJobsKept))
        fail("scheduler.decoded_jobs_kept", "decoded_jobs_kept must be at least " +
                                                std::to_string(SchedulerOptions::kFewestDecodedJobsKept) +
                                                " (two passes' batches)");
      o.decoded_jobs_kept = static_cast<std::size_t>(kept);
    }
    if (const Value* level = v.find("log_level")) {
      config_.log_level_ = string_at(*level, "scheduler.log_level");
      static const std::set<std::string, std::less<>> levels{"trace", "debug", "info", "warning", "error", "critical"};
      if (!levels.count(config_.log_level_))
        fail("scheduler.log_level", "unknown log level '" + config_.log_level_ +
                                        "' (allowed: trace, debug, info, warning, error, critical)");
    }
  }

  void read_job_defaults(const Value& v) {
    const auto& map = map_at(v, "job_defaults", "'job_defaults'");
    allow_keys(map, "job_defaults", "'job_defaults'", {"coalesce", "max_instances", "misfire_grace_time", "timeout"});
    JobDefaults& d = config_.options_.job_defaults;
    if (const Value* c = v.find("coalesce")) d.coalesce = bool_at(*c, "job_defaults.coalesce");
    if (const Value* m = v.find("max_instances")) {
      d.max_instances = int_at(*m, "job_defaults.max_instances");
      if (d.max_instances < 1) fail("job_defaults.max_instances", "max_instances must be at least 1");
    }
    if (const Value* g = v.find("misfire_grace_time")) d.misfire_grace_time = grace_at(*g, "job_defaults.misfire_grace_time");
    if (const Value* t = v.find("timeout")) d.timeout = timeout_at(*t, "job_defaults.timeout");
  }

  std::vector<PluginConfig> read_plugins(const Value& v, const std::string& section, const std::string& what) {
    std::vector<PluginConfig> out;
    if (v.is_null()) return out;
    for (const auto& [alias, config] : map_at(v, section, "'" + section + "'")) {
      std::string path = section + "." + alias;
      map_at(config, path, "the " + what + " '" + alias + "'");
      const Value* type = config.find("type");
      if (type == nullptr || !type->is_string())
        fail(path, "the " + what + " '" + alias + "' needs 'type:' naming its plugin (e.g. type: memory)");
      out.push_back(PluginConfig{alias, config});
    }
    return out;
  }

  void read_jobs(const Value& v) {
    if (v.is_null()) return;
    if (!v.is_list()) fail("jobs", "'jobs' must be a list of jobs (each starting with '- ')");
    std::map<std::string, std::string> seen;  // id -> path
    for (std::size_t i = 0; i < v.as_list().size(); ++i) {
      std::string path = "jobs[" + std::to_string(i) + "]";
      ConfigJob job = read_job(v.as_list()[i], path);
      auto [it, added] = seen.emplace(*job.spec.id, path);
      if (!added)
        fail(path + ".id", "duplicate job id '" + *job.spec.id + "' (first used at " + config_.where(it->second) +
                               "): give each job its own id");
      config_.jobs_.push_back(std::move(job));
    }
  }

  ConfigJob read_job(const Value& v, const std::string& path) {
    const auto& map = map_at(v, path, "a job");
    allow_keys(map, path, "a job",
               {"id", "name", "func", "args", "kwargs", "trigger", "executor", "jobstore", "coalesce", "max_instances",
                "misfire_grace_time", "timeout", "next_run_time", "replace_existing"});
    ConfigJob job;
    job.path = path;
    job.source = v;
    JobSpec& s = job.spec;
    const Value* id = v.find("id");
    if (id == nullptr) fail(path, "a job in the config needs an 'id:' (so that restarts find it again)");
    s.id = string_at(*id, path + ".id");
    const Value* func = v.find("func");
    if (func == nullptr) fail(path, "job '" + *s.id + "' needs 'func: library:function'");
    s.func = string_at(*func, path + ".func");
    const Value* trigger = v.find("trigger");
    if (trigger == nullptr) fail(path, "job '" + *s.id + "' needs a 'trigger:' such as {type: interval, seconds: 3}");
    map_at(*trigger, path + ".trigger", "a trigger");
    if (!trigger->find("type")) fail(path + ".trigger", "a trigger needs 'type:' (date, interval, cron, ...)");
    s.trigger = TriggerSpec{*trigger};
    if (const Value* n = v.find("name")) s.name = string_at(*n, path + ".name");
    if (const Value* a = v.find("args")) {
      if (!a->is_list()) fail(path + ".args", "args must be a list, e.g. args: [\"hello\", 3]");
      s.args = *a;
    }
    if (const Value* k = v.find("kwargs")) {
      if (!k->is_map()) fail(path + ".kwargs", "kwargs must be a mapping, e.g. kwargs: {path: out.txt}");
      s.kwargs = *k;
    }
    if (const Value* e = v.find("executor")) s.executor = string_at(*e, path + ".executor");
    if (const Value* st = v.find("jobstore")) s.jobstore = string_at(*st, path + ".jobstore");
    if (const Value* c = v.find("coalesce")) s.coalesce = bool_at(*c, path + ".coalesce");
    if (const Value* m = v.find("max_instances")) {
      s.max_instances = int_at(*m, path + ".max_instances");
      if (*s.max_instances < 1) fail(path + ".max_instances", "max_instances must be at least 1");
    }
    if (const Value* g = v.find("misfire_grace_time")) s.misfire_grace_time = grace_at(*g, path + ".misfire_grace_time");
    if (const Value* t = v.find("timeout")) s.timeout = timeout_at(*t, path + ".timeout");
    if (const Value* r = v.find("replace_existing")) s.replace_existing = bool_at(*r, path + ".replace_existing");
    if (const Value* n = v.find("next_run_time")) {
      if (n->is_null()) {
        s.next_run_time = std::optional<Timestamp>{};
      } else {
        std::string zone = config_.options_.timezone.empty() ? sdk::local_timezone_name() : config_.options_.timezone;
        try {
          s.next_run_time = sdk::parse_datetime(string_at(*n, path + ".next_run_time"), zone);
        } catch (const sdk::Error& e) {
          fail(path + ".next_run_time", e.what());
        }
      }
    }
    return job;
  }

  Config& config_;
};

Config Config::load(const fs::path& file) {
  Config config;
  config.file_ = file;
  config.options_.base_directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code status_error;
  if (fs::is_directory(file, status_error))
    throw ConfigError(file.string() + ": is a directory, not a config file: give the path of a YAML file");
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot read the config file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  detail::SourceMarks marks;
  Value root = detail::parse_yaml_value(text.str(), file.string(), &marks);
  for (const auto& [path, mark] : marks) config.marks_.emplace(path, std::make_pair(mark.line, mark.column));
  ConfigReaderImpl(config).read(root);
  config.settings_ = root.is_map() ? root : Value(Value::Map{});
  config.settings_.as_map().erase("jobs");
  return config;
}

std::string Config::where(const std::string& path) const {
  std::string p = path;
  while (true) {
    if (auto it = marks_.find(p); it != marks_.end())
      return file_.string() + ":" + std::to_string(it->second.first) + ":" + std::to_string(it->second.second);
    if (p.empty()) return file_.string();
    auto cut = p.find_last_of(".[#");
    p = cut == std::string::npos ? "" : p.substr(0, cut);
  }
}

}  // namespace apsched::core

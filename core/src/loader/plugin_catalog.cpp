#include "loader/plugin_catalog.h"

#include <algorithm>
#include <set>

#include "apsched/core/errors.h"
#include "apsched/sdk/config.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/store.h"
#include "apsched/sdk/trigger.h"
#include "loader/default_paths.h"

namespace apsched::core::detail {
namespace fs = std::filesystem;
namespace {

const std::string& type_of(PluginKind kind, const sdk::Value& config) {
  const sdk::Value* type = config.find("type");
  if (type == nullptr || !type->is_string() || type->as_string().empty())
    throw SchedulerError(kind_with_article(kind) + " needs 'type:' naming its plugin (also with 'plugin:', which names "
                         "its file: the file must declare that type)",
                         "type");
  return type->as_string();
}

}  // namespace

PluginCatalog::PluginCatalog(std::vector<fs::path> search_path, fs::path base_directory)
    : search_path_(std::move(search_path)), base_directory_(std::move(base_directory)) {}

std::shared_ptr<PluginLibrary> PluginCatalog::find(PluginKind kind, const sdk::Value& config) {
  const std::string& type = type_of(kind, config);
  if (const sdk::Value* file = config.find("plugin")) {
    if (!file->is_string()) throw SchedulerError("'plugin' must be a path to a .so file", "plugin");
    fs::path path = file->as_string();
    if (path.is_relative()) path = base_directory_ / path;
    return load(kind, type, path);
  }
  {
    std::lock_guard lock(mutex_);
    const auto& of_kind = by_type_[kind];
    if (auto it = of_kind.find(type); it != of_kind.end()) return it->second;
  }
  std::string file_name = std::string(kind_name(kind)) + "_" + type + ".so";
  for (const auto& dir : search_path_) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / file_name, ec)) continue;
    auto plugin = load(kind, type, dir / file_name);
    std::lock_guard lock(mutex_);
    by_type_[kind].emplace(type, plugin);
    return plugin;
  }
  auto types = available_types(kind);
  std::string listed;
  for (const auto& t : types) listed += (listed.empty() ? "" : ", ") + t;
  std::string suggestion = sdk::closest_match(type, std::set<std::string, std::less<>>(types.begin(), types.end()));
  throw LoadError(std::string("unknown ") + kind_label(kind) + " type '" + type + "'" +
                      (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") + ": no " + file_name +
                      " in the plugin path [" + join_paths(search_path_) + "]; " + kind_label(kind) +
                      " types found: " + (listed.empty() ? "none" : listed) +
                      ". Add the plugin's directory to scheduler.plugin_path or give 'plugin: path/to/file.so'",
                  "type");
}

std::vector<std::string> PluginCatalog::available_types(PluginKind kind) const {
  std::set<std::string> types;
  std::string prefix = std::string(kind_name(kind)) + "_";
  for (const auto& dir : search_path_) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.size() > prefix.size() + 3 && name.compare(0, prefix.size(), prefix) == 0 &&
          name.compare(name.size() - 3, 3, ".so") == 0)
        types.insert(name.substr(prefix.size(), name.size() - prefix.size() - 3));
    }
  }
  return {types.begin(), types.end()};
}

std::shared_ptr<PluginLibrary> PluginCatalog::load(PluginKind kind, const std::string& type, const fs::path& file) {
  std::error_code ec;
  fs::path key = fs::weakly_canonical(file, ec);
  if (ec) key = file;
  std::lock_guard lock(mutex_);
  auto it = loaded_.find(key);
  if (it != loaded_.end()) {
    if (it->second->type_name() != type)
      throw LoadError(file.string() + ": declares type '" + it->second->type_name() + "', not '" + type + "'");
    return it->second;
  }
  auto plugin = PluginLibrary::load(file, kind, type);
  loaded_.emplace(key, plugin);
  return plugin;
}

sdk::Value plugin_options(const sdk::Value& config) {
  if (config.find("plugin") == nullptr) return config;  // shares the map, copies nothing
  sdk::Value options = config;
  options.as_map().erase("plugin");
  return options;
}

template <typename Interface>
std::unique_ptr<PluginObject<Interface>> create_plugin_object(PluginCatalog& catalog, PluginKind kind,
                                                              const sdk::Value& config, sdk::Host& host) {
  if (!config.is_map())
    throw SchedulerError(kind_with_article(kind) + " must be a mapping with a 'type:' key");
  auto library = catalog.find(kind, config);
  sdk::Status status;
  void* made = library->create(host, plugin_options(config), status);
  if (made == nullptr) {
    if (status.ok()) status = {sdk::Code::internal, "the plugin's factory returned nothing", {}};
    throw SchedulerError(status.message, status.field);
  }
  return std::make_unique<PluginObject<Interface>>(std::move(library), static_cast<Interface*>(made));
}

template std::unique_ptr<PluginObject<sdk::Trigger>> create_plugin_object(PluginCatalog&, PluginKind,
                                                                          const sdk::Value&, sdk::Host&);
template std::unique_ptr<PluginObject<sdk::JobStore>> create_plugin_object(PluginCatalog&, PluginKind,
                                                                           const sdk::Value&, sdk::Host&);
template std::unique_ptr<PluginObject<sdk::Executor>> create_plugin_object(PluginCatalog&, PluginKind,
                                                                           const sdk::Value&, sdk::Host&);

}  // namespace apsched::core::detail

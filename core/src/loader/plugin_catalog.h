#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apsched/sdk/host.h"
#include "apsched/sdk/value.h"
#include "loader/plugin_library.h"

namespace apsched::core::detail {

/**
 * Finds plugins by kind and type name on the plugin path (`<kind>_<type>.so`, first
 * directory wins) or at an explicit `plugin:` path, and keeps every loaded library for
 * the life of the catalog.
 *
 * THREADING: safe from any thread; loads are serialised by `mutex_` (one loader at a time).
 */
class PluginCatalog {
 public:
  PluginCatalog(std::vector<std::filesystem::path> search_path, std::filesystem::path base_directory);

  /**
   * The plugin named by a config map's `type` (and optional `plugin` file). Throws
   * LoadError: an unknown type lists the directories searched and the types found.
   */
  std::shared_ptr<PluginLibrary> find(PluginKind kind, const sdk::Value& config);

  /** Type names of `kind` present on the search path, sorted. */
  std::vector<std::string> available_types(PluginKind kind) const;
  const std::vector<std::filesystem::path>& search_path() const noexcept { return search_path_; }

 private:
  std::shared_ptr<PluginLibrary> load(PluginKind kind, const std::string& type, const std::filesystem::path& file);

  const std::vector<std::filesystem::path> search_path_;
  const std::filesystem::path base_directory_;
  std::mutex mutex_;  // guards loaded_ and by_type_
  std::map<std::filesystem::path, std::shared_ptr<PluginLibrary>> loaded_;
  // Found on the search path, by kind and type: a trigger is made for every add and every
  // due job, so its plugin is looked up in memory (by the config's own type string, no
  // copy), not on disk.
  std::map<PluginKind, std::map<std::string, std::shared_ptr<PluginLibrary>, std::less<>>> by_type_;
};

/** Config keys the kernel reads itself and never passes to a plugin. */
sdk::Value plugin_options(const sdk::Value& config);

/**
 * A plugin object together with the library it came from.
 * LIFETIME: the object is destroyed before the library reference is dropped.
 */
template <typename Interface>
class PluginObject {
 public:
  PluginObject(std::shared_ptr<PluginLibrary> library, Interface* object)
      : library_(std::move(library)), object_(object) {}
  Interface* operator->() const noexcept { return object_.get(); }
  Interface& operator*() const noexcept { return *object_; }
  Interface* get() const noexcept { return object_.get(); }
  const PluginLibrary& library() const noexcept { return *library_; }

 private:
  std::shared_ptr<PluginLibrary> library_;  // declared first: outlives object_
  std::unique_ptr<Interface> object_;
};

/**
 * Creates a plugin object from its config map. Throws SchedulerError with the plugin's
 * message and `field` when the plugin refuses the configuration, LoadError when the
 * plugin cannot be loaded.
 */
template <typename Interface>
std::unique_ptr<PluginObject<Interface>> create_plugin_object(PluginCatalog& catalog, PluginKind kind,
                                                              const sdk::Value& config, sdk::Host& host);

}  // namespace apsched::core::detail

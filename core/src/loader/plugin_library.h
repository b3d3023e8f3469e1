#pragma once
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "apsched/sdk/descriptor.h"
#include "apsched/sdk/plugin.h"
#include "apsched/sdk/host.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/value.h"

namespace apsched::core::detail {

enum class PluginKind : std::uint32_t {
  trigger = APSCHED_KIND_TRIGGER,
  store = APSCHED_KIND_STORE,
  executor = APSCHED_KIND_EXECUTOR,
};

/** "trigger", "store", "executor": also the file-name prefix (trigger_cron.so). */
const char* kind_name(PluginKind kind) noexcept;
/** "job store" etc., for messages. */
const char* kind_label(PluginKind kind) noexcept;
/** "a trigger", "a job store", "an executor". */
std::string kind_with_article(PluginKind kind);

/**
 * One loaded plugin file whose descriptor passed the handshake.
 *
 * LIFETIME: objects created from it hold a shared_ptr to it. Loaded libraries are never
 * unloaded while the host runs (the catalog keeps them), so no code can be pulled from
 * under a live object or a pending exception.
 */
class PluginLibrary {
 public:
  /** Loads `file`, expecting a plugin of `kind` and type `type`. Throws LoadError. */
  static std::shared_ptr<PluginLibrary> load(const std::filesystem::path& file, PluginKind kind,
                                             std::string_view type);

  const std::filesystem::path& path() const noexcept { return path_; }
  const std::string& type_name() const noexcept { return type_name_; }
  std::uint32_t type_version() const noexcept { return descriptor_.type_version; }

  /** Calls the plugin's factory; nullptr with `status` set on failure. */
  void* create(sdk::Host& host, const sdk::Value& config, sdk::Status& status) const noexcept;

 private:
  boost::dll::shared_library library_;
  apsched_plugin_descriptor descriptor_{};  // the host's copy of the plugin's descriptor
  std::string type_name_;
  std::filesystem::path path_;
};

}  // namespace apsched::core::detail

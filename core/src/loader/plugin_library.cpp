#include "loader/plugin_library.h"

#include <algorithm>
#include <cstring>

#include "apsched/core/errors.h"
#include "loader/shared_object.h"

namespace apsched::core::detail {

const char* kind_name(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::trigger: return "trigger";
    case PluginKind::store: return "store";
    case PluginKind::executor: return "executor";
  }
  return "?";
}

const char* kind_label(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::trigger: return "trigger";
    case PluginKind::store: return "job store";
    case PluginKind::executor: return "executor";
  }
  return "?";
}

std::string kind_with_article(PluginKind kind) {
  return std::string(kind == PluginKind::executor ? "an " : "a ") + kind_label(kind);
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::filesystem::path& file, PluginKind kind,
                                                   std::string_view type) {
  auto plugin = std::make_shared<PluginLibrary>();
  plugin->path_ = file;
  plugin->library_ = open_shared_object(file, APSCHED_STRINGIFY(APSCHED_PLUGIN_ALIAS), "plugin");
  auto entry = plugin->library_.get_alias<const apsched_plugin_descriptor*()>(APSCHED_STRINGIFY(APSCHED_PLUGIN_ALIAS));
  const apsched_plugin_descriptor* found = entry();
  if (found == nullptr) throw LoadError(file.string() + ": the plugin returned no descriptor");

  // Read the frozen prefix first; copy no more than both sides know.
  check_sdk_version(file, found->struct_size, sizeof(apsched_plugin_descriptor), found->api_major,
                    found->api_minor, found->toolchain);
  std::memcpy(&plugin->descriptor_, found, std::min<std::size_t>(found->struct_size, sizeof plugin->descriptor_));

  const auto& d = plugin->descriptor_;
  if (d.kind != static_cast<std::uint32_t>(kind)) {
    bool known = d.kind >= APSCHED_KIND_TRIGGER && d.kind <= APSCHED_KIND_EXECUTOR;
    throw LoadError(file.string() + ": is not a " + kind_label(kind) + " plugin: it is " +
                    (known ? kind_with_article(static_cast<PluginKind>(d.kind)) + " plugin"
                           : "of unknown kind " + std::to_string(d.kind)));
  }
  plugin->type_name_ = d.type_name ? d.type_name : "";
  if (plugin->type_name_ != type)
    throw LoadError(file.string() + ": declares type '" + plugin->type_name_ + "' but was loaded for type '" +
                    std::string(type) + "': the file name and APSCHED_*_PLUGIN's type name must agree");
  if (d.create == nullptr) throw LoadError(file.string() + ": the plugin has no factory");
  return plugin;
}

void* PluginLibrary::create(sdk::Host& host, const sdk::Value& config, sdk::Status& status) const noexcept {
  apsched_create_args args{&host, &config, &status};
  return descriptor_.create(&args);
}

}  // namespace apsched::core::detail

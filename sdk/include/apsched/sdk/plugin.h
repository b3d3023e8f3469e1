#pragma once
/**
 * Declaring a plugin. A trigger plugin, complete:
 *
 *     #include <apsched/sdk/plugin.h>
 *     #include <apsched/sdk/trigger.h>
 *
 *     class Hourly final : public apsched::sdk::Trigger {
 *      public:
 *       Hourly(apsched::sdk::Host& host, const apsched::sdk::Value& config) { ... }
 *       ...
 *     };
 *     APSCHED_TRIGGER_PLUGIN("hourly", 1, Hourly)
 *
 * The class is constructed from (Host&, const Value& config) and may throw
 * apsched::sdk::Error (with the offending key as `field`) on bad configuration; the
 * macro's trampoline turns any exception into a Status before it reaches the host.
 */
#include <boost/dll/alias.hpp>
#include <memory>

#include "apsched/sdk/descriptor.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/host.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/store.h"
#include "apsched/sdk/trigger.h"
#include "apsched/sdk/value.h"

extern "C" struct apsched_create_args {
  apsched::sdk::Host* host;
  const apsched::sdk::Value* config;
  apsched::sdk::Status* status;  ///< set on failure
};

namespace apsched::sdk::detail {

template <typename Interface, typename Impl>
void* create_plugin_object(const apsched_create_args* args) noexcept {
  Interface* made = nullptr;
  *args->status = guarded([&] { made = new Impl(*args->host, *args->config); });
  return made;
}

}  // namespace apsched::sdk::detail

#define APSCHED_DECLARE_PLUGIN_(KIND, INTERFACE, TYPE_NAME, TYPE_VERSION, CLASS)           \
  namespace apsched_plugin_export {                                                       \
  static constexpr apsched_plugin_descriptor descriptor{                                  \
      sizeof(apsched_plugin_descriptor), APSCHED_SDK_API_MAJOR, APSCHED_SDK_API_MINOR,    \
      KIND, APSCHED_TOOLCHAIN_FINGERPRINT, TYPE_NAME, TYPE_VERSION,                      \
      &::apsched::sdk::detail::create_plugin_object<INTERFACE, CLASS>};                   \
  const apsched_plugin_descriptor* entry() { return &descriptor; }                        \
  }                                                                                       \
  BOOST_DLL_ALIAS(apsched_plugin_export::entry, APSCHED_PLUGIN_ALIAS)

#define APSCHED_TRIGGER_PLUGIN(TYPE_NAME, TYPE_VERSION, CLASS)                            \
  APSCHED_DECLARE_PLUGIN_(APSCHED_KIND_TRIGGER, ::apsched::sdk::Trigger, TYPE_NAME,       \
                          TYPE_VERSION, CLASS)
#define APSCHED_STORE_PLUGIN(TYPE_NAME, TYPE_VERSION, CLASS)                              \
  APSCHED_DECLARE_PLUGIN_(APSCHED_KIND_STORE, ::apsched::sdk::JobStore, TYPE_NAME,        \
                          TYPE_VERSION, CLASS)
#define APSCHED_EXECUTOR_PLUGIN(TYPE_NAME, TYPE_VERSION, CLASS)                           \
  APSCHED_DECLARE_PLUGIN_(APSCHED_KIND_EXECUTOR, ::apsched::sdk::Executor, TYPE_NAME,     \
                          TYPE_VERSION, CLASS)

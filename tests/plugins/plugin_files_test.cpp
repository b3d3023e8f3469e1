// The built plugin files: each exports the SDK descriptor under the fixed alias and
// creates its object through it, as the loader will.
#include <apsched/sdk/descriptor.h>
#include <apsched/sdk/executor.h>
#include <apsched/sdk/plugin.h>
#include <apsched/sdk/store.h>
#include <apsched/sdk/trigger.h>
#include <apsched/sdk/version.h>

#include <boost/dll/shared_library.hpp>

#include "fake_host.h"
#include "test_support.h"

using apsched::sdk::Code;
using apsched::sdk::Status;
using apsched::sdk::Value;
using apsched::testing::FakeHost;

namespace {

struct PluginFile {
  boost::dll::shared_library library;
  const apsched_plugin_descriptor* descriptor = nullptr;

  explicit PluginFile(const std::string& file)
      : library(std::string(APSCHED_PLUGIN_DIR) + "/" + file,
                boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local) {
    descriptor = library.get_alias<const apsched_plugin_descriptor*()>("apsched_plugin_v1")();
    REQUIRE(descriptor != nullptr);
  }

  void* create(FakeHost& host, const Value& config, Status& status) const {
    apsched_create_args args{&host, &config, &status};
    return descriptor->create(&args);
  }
};

void check_descriptor(const PluginFile& plugin, std::uint32_t kind, const std::string& type) {
  const auto& d = *plugin.descriptor;
  CHECK(d.struct_size == sizeof(apsched_plugin_descriptor));
  CHECK(d.api_major == APSCHED_SDK_API_MAJOR);
  CHECK(d.api_minor == APSCHED_SDK_API_MINOR);
  CHECK(std::string(d.toolchain) == APSCHED_TOOLCHAIN_FINGERPRINT);
  CHECK(d.kind == kind);
  CHECK(std::string(d.type_name) == type);
  CHECK(d.type_version == 1);
}

}  // namespace

TEST_CASE("plugin files: trigger_date.so", "[plugins]") {
  PluginFile plugin("trigger_date.so");
  check_descriptor(plugin, APSCHED_KIND_TRIGGER, "date");
  FakeHost host(0, "Europe/Berlin");
  Status status;
  auto* trigger = static_cast<apsched::sdk::Trigger*>(
      plugin.create(host, Value::Map{{"type", "date"}, {"run_date", "2026-12-01T10:00:00"}}, status));
  REQUIRE(status.ok());
  REQUIRE(trigger != nullptr);
  CHECK(trigger->describe() == "date[2026-12-01T10:00:00+01:00]");
  delete trigger;

  CHECK(plugin.create(host, Value::Map{{"type", "date"}, {"run_date", "soon"}}, status) == nullptr);
  CHECK(status.code == Code::invalid_argument);
  CHECK(status.field == "run_date");
}

TEST_CASE("plugin files: trigger_interval.so", "[plugins]") {
  PluginFile plugin("trigger_interval.so");
  check_descriptor(plugin, APSCHED_KIND_TRIGGER, "interval");
  FakeHost host(0, "UTC");
  Status status;
  auto* trigger =
      static_cast<apsched::sdk::Trigger*>(plugin.create(host, Value::Map{{"type", "interval"}, {"seconds", 3}}, status));
  REQUIRE(status.ok());
  REQUIRE(trigger != nullptr);
  CHECK(trigger->describe() == "interval[0:00:03]");
  CHECK(trigger->next_fire_time(std::nullopt, 0) == 3'000'000);
  delete trigger;

  CHECK(plugin.create(host, Value::Map{{"type", "interval"}, {"seconds", 0}}, status) == nullptr);
  CHECK(status.code == Code::invalid_argument);
  CHECK_THAT(status.message, Catch::StartsWith("interval must be positive"));
}

TEST_CASE("plugin files: store_memory.so", "[plugins]") {
  PluginFile plugin("store_memory.so");
  check_descriptor(plugin, APSCHED_KIND_STORE, "memory");
  FakeHost host;
  Status status;
  auto* store = static_cast<apsched::sdk::JobStore*>(plugin.create(host, Value::Map{{"type", "memory"}}, status));
  REQUIRE(status.ok());
  REQUIRE(store != nullptr);
  REQUIRE(store->start().ok());
  apsched::sdk::JobRecord record;
  record.id = "a";
  record.next_run_time = 5;
  CHECK(store->add(record).ok());
  CHECK(store->add(record).code == Code::already_exists);
  delete store;
}

TEST_CASE("plugin files: executor_threadpool.so and executor_inline.so", "[plugins]") {
  for (const auto& [file, type] : {std::pair{"executor_threadpool.so", "threadpool"}, {"executor_inline.so", "inline"}}) {
    INFO(file);
    PluginFile plugin(file);
    check_descriptor(plugin, APSCHED_KIND_EXECUTOR, type);
    FakeHost host;
    Status status;
    auto* executor = static_cast<apsched::sdk::Executor*>(plugin.create(host, Value::Map{{"type", type}}, status));
    REQUIRE(status.ok());
    REQUIRE(executor != nullptr);
    REQUIRE(executor->start().ok());
    executor->shutdown(true);
    delete executor;

    CHECK(plugin.create(host, Value::Map{{"type", type}, {"bogus", 1}}, status) == nullptr);
    CHECK(status.field == "bogus");
  }
}

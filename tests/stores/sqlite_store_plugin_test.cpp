// The built plugin module exports the store under type `sqlite` and creates working
// stores through its descriptor, as the kernel's loader will.
#include <apsched/sdk/descriptor.h>
#include <apsched/sdk/plugin.h>

#include <boost/dll/shared_library.hpp>
#include <catch2/catch.hpp>
#include <cstring>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

TEST_CASE("sqlite store plugin: descriptor and factory", "[sqlite][plugin]") {
  boost::dll::shared_library library(std::string(APSCHED_PLUGIN_DIR) + "/store_sqlite.so",
                                     boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  auto& entry = library.get_alias<const apsched_plugin_descriptor*()>(APSCHED_STRINGIFY(APSCHED_PLUGIN_ALIAS));
  const apsched_plugin_descriptor* descriptor = entry();
  REQUIRE(descriptor);
  CHECK(descriptor->api_major == APSCHED_SDK_API_MAJOR);
  CHECK(descriptor->kind == APSCHED_KIND_STORE);
  CHECK(std::strcmp(descriptor->type_name, "sqlite") == 0);
  CHECK(descriptor->type_version == 1);
  CHECK(std::strcmp(descriptor->toolchain, APSCHED_TOOLCHAIN_FINGERPRINT) == 0);

  TempDir dir;
  FakeHost host;
  host.set_base_directory(dir.path());

  sdk::Status status;
  sdk::Value bad = store_config("jobs.sqlite", {{"tabel", "x"}});
  apsched_create_args bad_args{&host, &bad, &status};
  CHECK(descriptor->create(&bad_args) == nullptr);
  CHECK(status.code == sdk::Code::invalid_argument);
  CHECK(status.field == "tabel");

  sdk::Value config = store_config("jobs.sqlite");
  apsched_create_args args{&host, &config, &status};
  std::unique_ptr<sdk::JobStore> store(static_cast<sdk::JobStore*>(descriptor->create(&args)));
  INFO(describe(status));
  REQUIRE(store);
  REQUIRE(store->start().ok());
  REQUIRE(store->add(job("a", 1)).ok());
  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a"});
  store.reset();  // destroyed while the library is loaded
}

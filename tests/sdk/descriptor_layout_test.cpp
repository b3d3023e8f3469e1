// The descriptors' prefix is frozen: any host must be able to read a plugin's API
// version before trusting anything else in it. A change here is an ABI break.
#include <catch2/catch.hpp>

#include <apsched/sdk/descriptor.h>

#include <cstddef>
#include <type_traits>

static_assert(std::is_standard_layout_v<apsched_plugin_descriptor>);
static_assert(std::is_standard_layout_v<apsched_job_library_descriptor>);
static_assert(offsetof(apsched_plugin_descriptor, struct_size) == 0);
static_assert(offsetof(apsched_plugin_descriptor, api_major) == 4);
static_assert(offsetof(apsched_plugin_descriptor, api_minor) == 8);
static_assert(offsetof(apsched_job_library_descriptor, struct_size) == 0);
static_assert(offsetof(apsched_job_library_descriptor, api_major) == 4);
static_assert(offsetof(apsched_job_library_descriptor, api_minor) == 8);

TEST_CASE("descriptor prefixes keep their frozen layout", "[sdk][abi]") {
  CHECK(APSCHED_KIND_TRIGGER == 1);
  CHECK(APSCHED_KIND_STORE == 2);
  CHECK(APSCHED_KIND_EXECUTOR == 3);
  CHECK(std::string(APSCHED_STRINGIFY(APSCHED_PLUGIN_ALIAS)) == "apsched_plugin_v1");
  CHECK(std::string(APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS)) == "apsched_jobs_v1");
}

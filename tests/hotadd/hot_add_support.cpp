#include "hot_add_support.h"

#include <fstream>

namespace apsched::testing {
namespace fs = std::filesystem;
namespace {

class TestContext final : public sdk::JobContext {
 public:
  explicit TestContext(sdk::Value args) : args_(std::move(args)) {}
  const std::string& job_id() const noexcept override { return id_; }
  const sdk::Value& args() const noexcept override { return args_; }
  const sdk::Value& kwargs() const noexcept override { return kwargs_; }
  sdk::Timestamp scheduled_run_time() const noexcept override { return 0; }
  bool stop_requested() const noexcept override { return false; }
  void log(sdk::LogLevel, std::string_view) noexcept override {}

 private:
  std::string id_ = "test";
  sdk::Value args_;
  sdk::Value kwargs_ = sdk::Value::Map{};
};

}  // namespace

fs::path versioned_library(const std::string& version) {
  return fs::path(APSCHED_FIXTURE_VERSIONS_DIR) / version / "libversioned.so";
}

fs::path fixture_library(const std::string& name) {
  return fs::path(APSCHED_FIXTURE_JOBS_DIR) / ("lib" + name + ".so");
}

void overwrite_in_place(const fs::path& source, const fs::path& target) {
  std::ifstream in(source, std::ios::binary);
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
}

std::string call(const core::detail::JobFunction& function, const sdk::Value& args) {
  TestContext context(args);
  sdk::JobOutcome outcome;
  function.invoke(context, outcome);
  return outcome.ok && outcome.retval.is_string() ? outcome.retval.as_string() : std::string();
}

}  // namespace apsched::testing

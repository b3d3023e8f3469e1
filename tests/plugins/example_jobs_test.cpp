// The example job library, loaded from the built libexample_jobs.so as the host does.
#include <apsched/sdk/descriptor.h>
#include <apsched/sdk/job.h>
#include <apsched/sdk/version.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "temp_dir.h"
#include "test_support.h"

using apsched::sdk::JobContext;
using apsched::sdk::JobInvoker;
using apsched::sdk::JobOutcome;
using apsched::sdk::LogLevel;
using apsched::sdk::Timestamp;
using apsched::sdk::Value;
using apsched::testing::read_file;
using apsched::testing::TempDir;

namespace {

class TestContext final : public JobContext {
 public:
  TestContext(std::string id, Value args, Value kwargs = Value::Map{})
      : id_(std::move(id)), args_(std::move(args)), kwargs_(std::move(kwargs)) {}

  const std::string& job_id() const noexcept override { return id_; }
  const Value& args() const noexcept override { return args_; }
  const Value& kwargs() const noexcept override { return kwargs_; }
  Timestamp scheduled_run_time() const noexcept override { return 0; }
  bool stop_requested() const noexcept override { return stop.load(); }
  void log(LogLevel level, std::string_view message) noexcept override { logs.emplace_back(level, message); }

  std::atomic<bool> stop{false};
  std::vector<std::pair<LogLevel, std::string>> logs;

 private:
  std::string id_;
  Value args_;
  Value kwargs_;
};

/** libexample_jobs.so, loaded like the host loads a job library. */
class JobLibrary {
 public:
  JobLibrary()
      : library_(std::string(APSCHED_JOBS_DIR) + "/libexample_jobs.so",
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local) {
    descriptor_ = library_.get_alias<const apsched_job_library_descriptor*()>("apsched_jobs_v1")();
    REQUIRE(descriptor_ != nullptr);
    for (std::uint32_t i = 0; i < descriptor_->count; ++i)
      entries_[descriptor_->entries[i].name] = reinterpret_cast<JobInvoker>(descriptor_->entries[i].invoke);
  }

  const apsched_job_library_descriptor& descriptor() const { return *descriptor_; }
  const std::map<std::string, JobInvoker>& entries() const { return entries_; }

  JobOutcome call(const std::string& name, TestContext& ctx) const {
    auto it = entries_.find(name);
    REQUIRE(it != entries_.end());
    JobOutcome out;
    it->second(ctx, out);
    return out;
  }

 private:
  boost::dll::shared_library library_;
  const apsched_job_library_descriptor* descriptor_ = nullptr;
  std::map<std::string, JobInvoker> entries_;
};

}  // namespace

TEST_CASE("example_jobs: the descriptor is the SDK's and lists every job", "[jobs]") {
  JobLibrary lib;
  const auto& d = lib.descriptor();
  CHECK(d.struct_size == sizeof(apsched_job_library_descriptor));
  CHECK(d.api_major == APSCHED_SDK_API_MAJOR);
  CHECK(d.api_minor == APSCHED_SDK_API_MINOR);
  CHECK(std::string(d.toolchain) == APSCHED_TOOLCHAIN_FINGERPRINT);
  CHECK(d.count == 6);
  std::set<std::string> names;
  for (const auto& [name, fn] : lib.entries()) names.insert(name);
  CHECK(names == std::set<std::string>{"append_line", "crash", "fail", "noop", "sleep", "tick"});
}

TEST_CASE("example_jobs: tick logs its job id and arguments and returns null", "[jobs]") {
  JobLibrary lib;
  TestContext ctx("every3s", Value::List{"interval job"});
  JobOutcome out = lib.call("tick", ctx);
  CHECK(out.ok);
  CHECK(out.retval.is_null());
  REQUIRE(ctx.logs.size() == 1);
  CHECK(ctx.logs[0].first == LogLevel::info);
  CHECK(ctx.logs[0].second == R"(tick job=every3s args=["interval job"] kwargs={})");

  TestContext many("t2", Value::List{1, 2.5, nullptr}, Value::Map{{"who", "me"}});
  CHECK(lib.call("tick", many).ok);
  CHECK(many.logs.at(0).second == R"(tick job=t2 args=[1,2.5,null] kwargs={"who":"me"})");
}

TEST_CASE("example_jobs: append_line appends a line, creating the file", "[jobs]") {
  JobLibrary lib;
  TempDir dir("apsched-jobs");
  auto path = dir / "out.txt";
  TestContext first("a", Value::List{path.string(), "first"});
  JobOutcome out = lib.call("append_line", first);
  CHECK(out.ok);
  CHECK(out.retval.is_null());
  TestContext second("a", Value::List{}, Value::Map{{"path", path.string()}, {"text", "second line"}});
  CHECK(lib.call("append_line", second).ok);
  CHECK(read_file(path) == "first\nsecond line\n");
}

TEST_CASE("example_jobs: append_line names the path and the reason when it cannot open it", "[jobs]") {
  JobLibrary lib;
  TempDir dir("apsched-jobs");
  auto path = dir / "missing-dir" / "out.txt";
  TestContext ctx("a", Value::List{path.string(), "x"});
  JobOutcome out = lib.call("append_line", ctx);
  CHECK_FALSE(out.ok);
  CHECK(out.error_type == "std::runtime_error");
  CHECK(out.error_message == "append_line: cannot open '" + path.string() + "': No such file or directory");
}

TEST_CASE("example_jobs: append_line checks its arguments", "[jobs]") {
  JobLibrary lib;
  TestContext none("a", Value::List{});
  JobOutcome out = lib.call("append_line", none);
  CHECK_FALSE(out.ok);
  CHECK(out.error_type == "std::invalid_argument");
  CHECK(out.error_message == "append_line needs argument 1 ('path'), a string");

  TestContext bad("a", Value::List{"/tmp/x", 42});
  out = lib.call("append_line", bad);
  CHECK_FALSE(out.ok);
  CHECK(out.error_message == "append_line: argument 'text' must be a string, got integer");
}

TEST_CASE("example_jobs: fail throws std::runtime_error with the message", "[jobs]") {
  JobLibrary lib;
  TestContext ctx("f", Value::List{"boom: disk full"});
  JobOutcome out = lib.call("fail", ctx);
  CHECK_FALSE(out.ok);
  CHECK(out.error_type == "std::runtime_error");
  CHECK(out.error_message == "boom: disk full");
  CHECK(out.retval.is_null());
}

TEST_CASE("example_jobs: noop does nothing", "[jobs]") {
  JobLibrary lib;
  TestContext ctx("n", Value::List{});
  JobOutcome out = lib.call("noop", ctx);
  CHECK(out.ok);
  CHECK(out.retval.is_null());
  CHECK(ctx.logs.empty());
}

TEST_CASE("example_jobs: sleep sleeps, and returns early when asked to stop", "[jobs]") {
  using Clock = std::chrono::steady_clock;
  JobLibrary lib;
  TestContext short_sleep("s", Value::List{0.05});
  auto start = Clock::now();
  CHECK(lib.call("sleep", short_sleep).ok);
  CHECK(Clock::now() - start >= std::chrono::milliseconds(50));

  TestContext stopped("s", Value::List{30});
  stopped.stop = true;
  start = Clock::now();
  CHECK(lib.call("sleep", stopped).ok);
  CHECK(Clock::now() - start < std::chrono::seconds(1));

  TestContext stop_later("s", Value::List{}, Value::Map{{"seconds", 30}});
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stop_later.stop = true;
  });
  start = Clock::now();
  CHECK(lib.call("sleep", stop_later).ok);
  stopper.join();
  CHECK(Clock::now() - start < std::chrono::seconds(2));

  TestContext bad("s", Value::List{"long"});
  JobOutcome out = lib.call("sleep", bad);
  CHECK_FALSE(out.ok);
  CHECK(out.error_message == "sleep needs argument 1 ('seconds'), a number, got string");
  TestContext negative("s", Value::List{-1});
  CHECK_FALSE(lib.call("sleep", negative).ok);
}

TEST_CASE("example_jobs: crash dies of SIGSEGV", "[jobs]") {
  JobLibrary lib;
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    TestContext ctx("c", Value::List{});
    lib.call("crash", ctx);
    ::_exit(0);  // not reached
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

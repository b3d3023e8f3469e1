#pragma once
// A Host for unit-testing plugins in-process: a settable clock, a captured log, and a
// pluggable trigger factory for combining triggers.
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace apsched::testing {

class FakeHost final : public sdk::Host {
 public:
  using TriggerFactory = std::function<sdk::Status(const sdk::Value&, std::unique_ptr<sdk::Trigger>&)>;

  explicit FakeHost(sdk::Timestamp now = 0, std::string zone = "UTC") : now_(now), zone_(std::move(zone)) {}

  void log(sdk::LogLevel level, std::string_view message) noexcept override {
    std::lock_guard lock(mutex_);
    logs_.emplace_back(level, std::string(message));
  }
  bool log_enabled(sdk::LogLevel) const noexcept override { return true; }
  sdk::Timestamp now() const noexcept override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  std::string default_timezone() const override { return zone_; }
  std::string base_directory() const override { return base_directory_; }
  sdk::Status create_trigger(const sdk::Value& spec, std::unique_ptr<sdk::Trigger>& out) noexcept override {
    if (!trigger_factory_) return {sdk::Code::not_found, "FakeHost has no trigger factory", {}};
    return trigger_factory_(spec, out);
  }
  sdk::Status job_worker_command(std::vector<std::string>& argv) noexcept override {
    std::lock_guard lock(mutex_);
    if (worker_command_.empty()) return {sdk::Code::not_found, "FakeHost has no job worker command", {}};
    argv = worker_command_;
    return sdk::Status::success();
  }

  void set_now(sdk::Timestamp now) {
    std::lock_guard lock(mutex_);
    now_ = now;
  }
  void set_base_directory(std::string dir) { base_directory_ = std::move(dir); }
  void set_trigger_factory(TriggerFactory factory) { trigger_factory_ = std::move(factory); }
  void set_worker_command(std::vector<std::string> argv) {
    std::lock_guard lock(mutex_);
    worker_command_ = std::move(argv);
  }
  std::vector<std::pair<sdk::LogLevel, std::string>> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }

 private:
  mutable std::mutex mutex_;  // guards now_, logs_ and worker_command_
  sdk::Timestamp now_;
  std::string zone_;
  std::string base_directory_ = ".";
  TriggerFactory trigger_factory_;
  std::vector<std::pair<sdk::LogLevel, std::string>> logs_;
  std::vector<std::string> worker_command_;
};

}  // namespace apsched::testing

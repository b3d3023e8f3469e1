#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "apsched/core/clock.h"
#include "apsched/sdk/host.h"
#include "loader/plugin_catalog.h"

namespace apsched::core::detail {

/** Where a job worker comes from: its program and the job path it loads libraries from.
 *  No program: this host starts no job workers (e.g. `apsched next`). */
struct WorkerSetup {
  std::filesystem::path program;
  std::vector<std::filesystem::path> job_path;
};

/** The kernel's side of sdk::Host: spdlog, the scheduler clock, trigger creation, job workers. */
class KernelHost final : public sdk::Host {
 public:
  KernelHost(const Clock& clock, std::string timezone, std::string base_directory, PluginCatalog& catalog,
             WorkerSetup worker = {})
      : clock_(clock),
        timezone_(std::move(timezone)),
        base_directory_(std::move(base_directory)),
        catalog_(catalog),
        worker_(std::move(worker)) {}

  void log(sdk::LogLevel level, std::string_view message) noexcept override;
  bool log_enabled(sdk::LogLevel level) const noexcept override;
  sdk::Timestamp now() const noexcept override { return clock_.now(); }
  std::string default_timezone() const override { return timezone_; }
  std::string base_directory() const override { return base_directory_; }
  sdk::Status create_trigger(const sdk::Value& spec, std::unique_ptr<sdk::Trigger>& out) noexcept override;
  sdk::Status job_worker_command(std::vector<std::string>& argv) noexcept override;

 private:
  const Clock& clock_;
  const std::string timezone_;
  const std::string base_directory_;
  PluginCatalog& catalog_;
  const WorkerSetup worker_;
};

}  // namespace apsched::core::detail

#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apsched/sdk/export.h"
#include "apsched/sdk/log.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {

class Trigger;

/**
 * What the host offers a plugin. Implemented by the kernel.
 *
 * LIFETIME: the Host outlives every plugin object created with it.
 * THREADING: every method may be called from any thread.
 */
class APSCHED_VISIBLE Host {
 public:
  virtual ~Host();

  virtual void log(LogLevel level, std::string_view message) noexcept = 0;
  virtual bool log_enabled(LogLevel level) const noexcept = 0;

  /** The scheduler's clock (injectable in tests): use it instead of the system clock. */
  virtual Timestamp now() const noexcept = 0;

  /** The scheduler's time zone, used when a trigger names none. */
  virtual std::string default_timezone() const = 0;

  /** Directory that relative paths in the configuration are relative to. */
  virtual std::string base_directory() const = 0;

  /**
   * Builds a trigger from its configuration map (`{type: cron, ...}`), loading its
   * plugin as needed. Combining triggers (and/or) use this for their parts.
   * OWNERSHIP: `out` is owned by the caller; deleting it is safe at any time.
   */
  virtual Status create_trigger(const Value& spec, std::unique_ptr<Trigger>& out) noexcept = 0;

  // ---- SDK 1.1 ----

  /**
   * The command line (program first) that starts a job worker: the kernel's worker
   * program, which loads job libraries from this host's job path and speaks the protocol
   * of job_worker.h. Fails (not_found) when the worker program is missing, naming where
   * it was looked for.
   */
  virtual Status job_worker_command(std::vector<std::string>& argv) noexcept = 0;
};

}  // namespace apsched::sdk

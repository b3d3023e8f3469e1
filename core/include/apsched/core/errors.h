#pragma once
#include <stdexcept>
#include <string>

namespace apsched::core {

/** Base of every error the kernel API throws. `field` names a configuration key, if any. */
class SchedulerError : public std::runtime_error {
 public:
  explicit SchedulerError(const std::string& message, std::string field = {})
      : std::runtime_error(message), field_(std::move(field)) {}
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

/** No job with the given id (APScheduler's JobLookupError). */
class JobLookupError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

/** A job with that id already exists and replace_existing was not set. */
class ConflictingIdError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

class SchedulerNotRunningError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

class SchedulerAlreadyRunningError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

/** A plugin or job library that cannot be found or loaded. */
class LoadError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

/** Invalid configuration; the message starts with file:line:column where known. */
class ConfigError : public SchedulerError {
  using SchedulerError::SchedulerError;
};

}  // namespace apsched::core

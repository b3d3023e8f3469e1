#pragma once
#include <stdexcept>
#include <string>

#include "apsched/sdk/export.h"

namespace apsched::sdk {

/** Closed set of error codes; 0 is success. */
enum class Code : int {
  ok = 0,
  invalid_argument,  ///< bad configuration or argument given by the user
  not_found,
  already_exists,
  unavailable,       ///< a resource (file, database, library) cannot be used now
  plugin_exception,  ///< a plugin threw where it must not
  internal,
};

/**
 * Result of an operation that crosses the plugin boundary. No exception ever crosses
 * it: plugins return a Status, and the message is owned by value.
 * `field` names the configuration key the error is about ("hour", "triggers[1].minute"),
 * so that the kernel can point at its file:line:column; empty when not about a key.
 */
struct Status {
  Code code = Code::ok;
  std::string message;
  std::string field;

  static Status success() { return {}; }
  bool ok() const noexcept { return code == Code::ok; }
};

/**
 * Exception for plugin and SDK code *inside* one shared object. The SDK's trampolines
 * turn it into a Status before returning to the host.
 */
class APSCHED_VISIBLE Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string field = {},
                 Code code = Code::invalid_argument)
      : std::runtime_error(message), field_(std::move(field)), code_(code) {}
  const std::string& field() const noexcept { return field_; }
  Code code() const noexcept { return code_; }

 private:
  std::string field_;
  Code code_;
};

/** Runs `fn`, turning any exception into a Status (the plugin-side "panic barrier"). */
template <typename Fn>
Status guarded(Fn&& fn) noexcept {
  try {
    fn();
    return Status::success();
  } catch (const Error& e) {
    return Status{e.code(), e.what(), e.field()};
  } catch (const std::exception& e) {
    return Status{Code::plugin_exception, e.what(), {}};
  } catch (...) {
    return Status{Code::plugin_exception, "unknown exception", {}};
  }
}

}  // namespace apsched::sdk

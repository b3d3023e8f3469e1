#pragma once
/**
 * Writing a job library. A complete one:
 *
 *     #include <apsched/sdk/job.h>
 *
 *     APSCHED_JOB(greet, ctx) {
 *       ctx.log(apsched::sdk::LogLevel::info, "hello " + ctx.arg(0).as_string());
 *       return {};
 *     }
 *     APSCHED_JOB_LIBRARY()
 *
 * Built as libgreetings.so, the job is referred to as "greetings:greet". A job may
 * throw: the exception becomes the job's error event (type and message), the
 * scheduler carries on.
 */
#include <boost/dll/alias.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "apsched/sdk/descriptor.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/export.h"
#include "apsched/sdk/log.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {

/**
 * What a running job sees. Implemented by the kernel (or a process-pool worker).
 * LIFETIME: valid during the job function call only.
 */
class APSCHED_VISIBLE JobContext {
 public:
  virtual ~JobContext();
  virtual const std::string& job_id() const noexcept = 0;
  virtual const Value& args() const noexcept = 0;    ///< a list
  virtual const Value& kwargs() const noexcept = 0;  ///< a map
  virtual Timestamp scheduled_run_time() const noexcept = 0;
  /** True once the job should stop (its timeout passed, or shutdown without waiting). */
  virtual bool stop_requested() const noexcept = 0;
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;

  /** Positional argument `i`; throws sdk::Error when there are fewer arguments. */
  const Value& arg(std::size_t i) const;
  /** Keyword argument; nullptr when absent. */
  const Value* kwarg(std::string_view key) const noexcept { return kwargs().find(key); }
};

using JobFunction = Value (*)(JobContext&);

/** The readable (demangled) dynamic type name of an exception, e.g. "std::runtime_error". */
std::string exception_type_name(const std::exception& e);
/** The noexcept form the host calls; exceptions become a failed JobOutcome. */
using JobInvoker = void (*)(JobContext&, JobOutcome&) noexcept;

namespace detail {

template <JobFunction Fn>
void invoke_job(JobContext& ctx, JobOutcome& out) noexcept {
  try {
    out.retval = Fn(ctx);
    out.ok = true;
  } catch (const std::exception& e) {
    out.ok = false;
    out.error_type = exception_type_name(e);
    out.error_message = e.what();
  } catch (...) {
    out.ok = false;
    out.error_type = "unknown";
    out.error_message = "non-standard exception";
  }
}

// Hidden on purpose: each job library keeps its own table, even when built without
// -fvisibility=hidden (otherwise GCC would make it a GNU unique symbol shared by all).
APSCHED_HIDDEN inline std::vector<apsched_job_entry>& job_table() {
  static std::vector<apsched_job_entry> table;
  return table;
}

struct JobRegistrar {
  JobRegistrar(const char* name, JobInvoker invoker) {
    job_table().push_back({name, reinterpret_cast<void*>(invoker)});
  }
};

// Filled once, on the first call (after every registrar of the library has run).
APSCHED_HIDDEN inline const apsched_job_library_descriptor* job_library_entry() {
  static const apsched_job_library_descriptor descriptor{sizeof(apsched_job_library_descriptor),
                                                         APSCHED_SDK_API_MAJOR,
                                                         APSCHED_SDK_API_MINOR,
                                                         0,
                                                         APSCHED_TOOLCHAIN_FINGERPRINT,
                                                         static_cast<std::uint32_t>(job_table().size()),
                                                         job_table().data()};
  return &descriptor;
}

}  // namespace detail
}  // namespace apsched::sdk

#define APSCHED_JOB(NAME, CTX)                                                          \
  static ::apsched::sdk::Value apsched_job_fn_##NAME(::apsched::sdk::JobContext&);      \
  static const ::apsched::sdk::detail::JobRegistrar apsched_job_registrar_##NAME{       \
      #NAME, &::apsched::sdk::detail::invoke_job<&apsched_job_fn_##NAME>};              \
  static ::apsched::sdk::Value apsched_job_fn_##NAME(::apsched::sdk::JobContext& CTX)

/** Once per job library: exports its table of jobs to the host. */
#define APSCHED_JOB_LIBRARY()                                                           \
  namespace apsched_jobs_export {                                                       \
  const apsched_job_library_descriptor* entry() {                                       \
    return ::apsched::sdk::detail::job_library_entry();                                 \
  }                                                                                     \
  }                                                                                     \
  BOOST_DLL_ALIAS(apsched_jobs_export::entry, APSCHED_JOBS_ALIAS)

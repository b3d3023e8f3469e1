#include <apsched/sdk/job.h>

APSCHED_JOB(greet, ctx) {
  ctx.log(apsched::sdk::LogLevel::info, "hello, " + ctx.arg(0).as_string());
  return {};
}

APSCHED_JOB_LIBRARY()

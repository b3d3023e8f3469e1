// Jobs for scheduler tests, built against the SDK alone.
#include <apsched/sdk/job.h>

#include <chrono>
#include <filesystem>
#include <thread>

// Blocks until the file named by the first argument exists (or the run is asked to stop).
APSCHED_JOB(wait_for_file, ctx) {
  const std::string& path = ctx.arg(0).as_string();
  while (!std::filesystem::exists(path) && !ctx.stop_requested())
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return ctx.job_id();
}

// Blocks until the file named by the first argument exists, whatever the stop token says.
APSCHED_JOB(hold_until_file, ctx) {
  const std::string& path = ctx.arg(0).as_string();
  while (!std::filesystem::exists(path)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return ctx.stop_requested();
}

APSCHED_JOB(echo, ctx) { return ctx.args(); }

APSCHED_JOB_LIBRARY()

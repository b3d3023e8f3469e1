// The job library of the benchmarks: libbench_jobs.so, jobs referred to as
// "bench_jobs:<name>". The bodies are as small as WORKLOADS.md asks (no-op, a counter
// under a mutex, an entry timestamp) so that what is measured is the scheduler.
#include <apsched/sdk/job.h>

#include <chrono>

#include "bench_state.h"

namespace {

apsched_bench::State g_state;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

apsched_bench::State* apsched_bench_state() { return &g_state; }

APSCHED_JOB(noop, /*ctx*/) { return {}; }

// W1: increments the counter; records the first call and the call that reaches target.
APSCHED_JOB(count, /*ctx*/) {
  std::lock_guard lock(g_state.mutex);
  std::int64_t c = ++g_state.count;
  if (c == 1) g_state.first_us = now_us();
  if (c == g_state.target) {
    g_state.done_us = now_us();
    g_state.changed.notify_all();
  }
  return {};
}

// W2: probe(i) stores its entry instant; nothing else happens before that.
APSCHED_JOB(probe, ctx) {
  std::int64_t entry = now_us();
  auto i = static_cast<std::size_t>(ctx.arg(0).as_int());
  std::lock_guard lock(g_state.mutex);
  if (i < g_state.probe_entry_us.size() && g_state.probe_entry_us[i] == 0) {
    g_state.probe_entry_us[i] = entry;
    if (++g_state.probes_run == static_cast<std::int64_t>(g_state.probe_entry_us.size()))
      g_state.changed.notify_all();
  }
  return {};
}

// W2 background load: counts executions, and those that start inside the probe window.
APSCHED_JOB(bg, /*ctx*/) {
  std::int64_t entry = now_us();
  std::lock_guard lock(g_state.mutex);
  ++g_state.bg_count;
  if (entry >= g_state.window_begin_us && entry < g_state.window_end_us) ++g_state.bg_in_window;
  return {};
}

// W5: appends (phase, i, entry instant, scheduled instant) to the log.
APSCHED_JOB(w5log, ctx) {
  std::int64_t entry = now_us();
  int i = static_cast<int>(ctx.arg(0).as_int());
  std::lock_guard lock(g_state.mutex);
  g_state.w5_log.push_back({g_state.phase, i, entry, ctx.scheduled_run_time()});
  g_state.changed.notify_all();
  return {};
}

APSCHED_JOB_LIBRARY()

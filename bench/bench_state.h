// State shared between the bench job library (libbench_jobs.so) and apsched-bench.
//
// The job functions in bench_jobs.cpp update one State object that lives in the job
// library. apsched-bench never links the library: the scheduler loads it the normal
// way (job path, Boost.DLL, RTLD_LOCAL) when the first job referring to it is added,
// and the bench program then dlopen()s the same file with RTLD_NOLOAD, which returns
// the handle of the copy already mapped, and looks up apsched_bench_state() with
// dlsym(). Both sides are built from this header by the same compiler in one build.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

namespace apsched_bench {

/** Bumped whenever State's layout changes; checked by apsched-bench. */
constexpr int kStateVersion = 1;

/** One W5 execution: phase (1 = A, 2 = B), job index, entry instant, scheduled instant. */
struct W5Entry {
  int phase;
  int index;
  std::int64_t entry_us;
  std::int64_t scheduled_us;
};

/** Everything the bench jobs record. All members are guarded by `mutex`. */
struct State {
  int version = kStateVersion;
  std::mutex mutex;
  std::condition_variable changed;  // notified when a goal is reached

  // bench_jobs:count (W1): counter, first call, the call that reaches `target`.
  std::int64_t count = 0;
  std::int64_t target = 0;
  std::int64_t first_us = 0;
  std::int64_t done_us = 0;

  // bench_jobs:probe(i) (W2): entry instant of probe i (0 = not run yet).
  std::vector<std::int64_t> probe_entry_us;
  std::int64_t probes_run = 0;

  // bench_jobs:bg (W2 load): executions, and those entering in [window_begin, window_end).
  std::int64_t bg_count = 0;
  std::int64_t bg_in_window = 0;
  std::int64_t window_begin_us = 0;
  std::int64_t window_end_us = 0;

  // bench_jobs:w5log(i) (W5): one entry per execution; `phase` is set by the bench.
  int phase = 0;
  std::vector<W5Entry> w5_log;
};

}  // namespace apsched_bench

/** Exported by libbench_jobs.so (default visibility, C linkage): the one State. */
extern "C" __attribute__((visibility("default"))) apsched_bench::State* apsched_bench_state();

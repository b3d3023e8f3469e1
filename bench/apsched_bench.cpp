// apsched-bench: runs one workload of ../shared/bench/WORKLOADS.md once, in this fresh
// process, on the public C++ API with the real plugins (memory, sqlite, threadpool,
// date, interval, cron), and prints one JSON line with WORKLOADS.md's keys.
//
//   apsched-bench --workload w1|w2|w2-load|w2-burst|w3|w4|w5|cron [--n N] [--dir DIR]
//                 [--lead SECONDS] [--timeout SECONDS] [--count N]
//   apsched-bench --workload w4-populate --n N --db FILE   (fill FILE; not timed)
//   apsched-bench --workload w4-restart --db FILE [--dir DIR]   (W4 (b) on a copy of FILE)
//
// Job bodies live in the job library bench_jobs (bench_jobs.cpp), which the scheduler
// loads from the job path like any other; see bench_state.h for how this program reads
// what the jobs record.
#include <apsched/core/events.h>
#include <apsched/core/scheduler.h>
#include <apsched/core/trigger_preview.h>
#include <apsched/sdk/time.h>
#include <dlfcn.h>
#include <malloc.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_state.h"
#include "nearest_rank.h"

namespace fs = std::filesystem;
using apsched::core::BackgroundScheduler;
using apsched::core::Event;
using apsched::core::JobSpec;
using apsched::core::Scheduler;
using apsched::core::SchedulerOptions;
using apsched::core::TriggerSpec;
using apsched::sdk::Value;
using apsched::bench::nearest_rank;

namespace {

// ---------------------------------------------------------------- clocks, output

/** Wall clock, µs since the epoch (scheduled instants, and ends of durations that start at one). */
std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/** Monotonic clock in seconds (durations of synchronous calls). */
double mono_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void sleep_until_wall(std::int64_t t_us) {
  std::int64_t left = t_us - wall_us();
  if (left > 0) std::this_thread::sleep_for(std::chrono::microseconds(left));
}

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

/** One JSON object whose keys keep their insertion order. */
class JsonLine {
 public:
  JsonLine& set(const std::string& key, const Value& v) {
    fields_.emplace_back(key, v.to_json());
    return *this;
  }
  JsonLine& num(const std::string& key, double v, int digits = 6) {
    if (!std::isfinite(v)) return set(key, nullptr);
    return set(key, Value(round_to(v, digits)));
  }
  JsonLine& raw(const std::string& key, std::string json) {
    fields_.emplace_back(key, std::move(json));
    return *this;
  }
  std::string str() const {
    std::string out = "{";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i) out += ", ";
      out += Value(fields_[i].first).to_json() + ": " + fields_[i].second;
    }
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// ---------------------------------------------------------------- log and event counting

/**
 * The kernel logs through spdlog's default logger; the bench installs this sink at
 * WARNING, as the Python harness installs a counting handler at WARNING: records are
 * counted (and up to 6 kept as samples), nothing is printed.
 */
class CountingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Record {
    spdlog::level::level_enum level;
    std::int64_t at_us;
  };
  std::map<std::string, long> counts() {
    std::lock_guard lock(mutex_);
    return counts_;
  }
  std::vector<std::string> samples() {
    std::lock_guard lock(mutex_);
    return samples_;
  }
  std::vector<Record> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string level(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size());
    ++counts_[level];
    records_.push_back({msg.level, wall_us()});
    if (samples_.size() < 6) samples_.push_back(level + ": " + std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  std::map<std::string, long> counts_;
  std::vector<std::string> samples_;
  std::vector<Record> records_;
};

std::shared_ptr<CountingSink> g_sink;

void install_log_counter() {
  g_sink = std::make_shared<CountingSink>();
  auto logger = std::make_shared<spdlog::logger>("apsched-bench", g_sink);
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
}

void add_log_fields(JsonLine& out) {
  Value::Map counts;
  for (auto& [level, n] : g_sink->counts()) counts[level] = static_cast<long long>(n);
  Value::List samples;
  for (auto& s : g_sink->samples()) samples.emplace_back(s);
  out.set("log_counts", counts).set("log_samples", samples);
}

/** Counts the events that mean a run was dropped, skipped or failed. */
struct EventCounter {
  std::atomic<long> missed{0};
  std::atomic<long> max_instances{0};
  std::atomic<long> errors{0};

  void attach(Scheduler& s) {
    s.add_listener(
        [this](const Event& e) {
          if (e.code == apsched::core::EVENT_JOB_MISSED) ++missed;
          else if (e.code == apsched::core::EVENT_JOB_MAX_INSTANCES) ++max_instances;
          else if (e.code == apsched::core::EVENT_JOB_ERROR) ++errors;
        },
        apsched::core::EVENT_JOB_MISSED | apsched::core::EVENT_JOB_MAX_INSTANCES | apsched::core::EVENT_JOB_ERROR);
  }
  void report(JsonLine& out, const std::string& prefix = "") const {
    out.set(prefix + "missed_events", static_cast<long long>(missed.load()))
        .set(prefix + "max_instances_events", static_cast<long long>(max_instances.load()))
        .set(prefix + "error_events", static_cast<long long>(errors.load()));
  }
};

// ---------------------------------------------------------------- scheduler set-up

struct Args {
  std::string workload;
  long n = -1;
  std::string dir = "/tmp/apsbench";
  double lead = -1;
  double timeout = 300;
  long count = 20000;  // cron micro-benchmark: fire times per expression
  std::string db;      // w4-populate / w4-restart: the prepared database file
  bool add_after_start = false;  // w1 variant for the scaling series
  double max_add_s = 0;          // w4: stop adding after this long (0: never)
};

fs::path exe_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

/** Where CMake puts libbench_jobs.so: a job directory of its own, beside the default one. */
fs::path bench_job_dir() { return exe_dir() / ".." / "lib" / "apsched" / "bench"; }

SchedulerOptions options(apsched::core::GraceTime grace) {
  SchedulerOptions o;
  o.timezone = "UTC";
  o.job_path = {bench_job_dir()};  // plugin_path: the default (beside the binary)
  o.job_defaults.coalesce = true;
  o.job_defaults.max_instances = 1;
  o.job_defaults.misfire_grace_time = grace;
  return o;
}

void add_plugins(Scheduler& s, const Value& store) {
  s.add_executor("default", Value::Map{{"type", "threadpool"}, {"max_workers", 20}});
  s.add_jobstore("default", store);
}

Value memory_store() { return Value::Map{{"type", "memory"}}; }
Value sqlite_store(const fs::path& file) { return Value::Map{{"type", "sqlite"}, {"path", file.string()}}; }

/**
 * The bench jobs' State. The scheduler must already have loaded libbench_jobs.so (it
 * does on the first add_job that refers to it): RTLD_NOLOAD returns that mapping and
 * never loads a second copy.
 */
apsched_bench::State& attach_state() {
  static apsched_bench::State* state = nullptr;
  if (state) return *state;
  fs::path lib = fs::weakly_canonical(bench_job_dir() / "libbench_jobs.so");
  void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (!handle) throw std::runtime_error("bench_jobs is not loaded by the scheduler (" + lib.string() + ")");
  auto fn = reinterpret_cast<apsched_bench::State* (*)()>(dlsym(handle, "apsched_bench_state"));
  if (!fn) throw std::runtime_error("libbench_jobs.so has no apsched_bench_state()");
  state = fn();
  if (state->version != apsched_bench::kStateVersion) throw std::runtime_error("bench_jobs state version mismatch");
  return *state;
}

std::string job_id(const char* prefix, long i, int width = 7) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%0*ld", prefix, width, i);
  return buf;
}

std::string iso(std::int64_t t_us) { return apsched::sdk::format_datetime(t_us, "UTC"); }

long rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  return -1;
}

void remove_db(const fs::path& file) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(file.string() + suffix);
}

long file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  return ec ? 0 : static_cast<long>(size);
}

/** Waits on the State until `done` holds or the wall clock passes `deadline_us`. */
template <typename Pred>
bool wait_state(apsched_bench::State& st, std::int64_t deadline_us, Pred done) {
  std::unique_lock lock(st.mutex);
  while (!done()) {
    std::int64_t left = deadline_us - wall_us();
    if (left <= 0) return false;
    st.changed.wait_for(lock, std::chrono::microseconds(std::min<std::int64_t>(left, 100'000)));
  }
  return true;
}

// ---------------------------------------------------------------- W1

std::string w1(const Args& a) {
  long n = a.n > 0 ? a.n : 10000;
  double lead = a.lead > 0 ? a.lead : (n <= 10000 ? 1.0 : 5.0);
  BackgroundScheduler s(options(std::nullopt));
  add_plugins(s, memory_store());
  EventCounter events;
  events.attach(s);

  std::int64_t t0 = wall_us();
  std::int64_t run_date = t0 + static_cast<std::int64_t>(lead * 1e6);
  TriggerSpec trigger = TriggerSpec::make("date", {{"run_date", iso(run_date)}});
  JobSpec spec;
  spec.func = "bench_jobs:count";
  spec.trigger = trigger;

  // --add-after-start (not WORKLOADS.md's W1, for the scaling series): start() first,
  // so every add goes straight into the store instead of the pending list.
  double a0 = mono_s();
  if (a.add_after_start) s.start();
  apsched_bench::State* st = nullptr;
  for (long i = 0; i < n; ++i) {
    spec.id = job_id("w1", i);
    s.add_job(spec);
    if (!st) {
      st = &attach_state();
      std::lock_guard lock(st->mutex);
      st->count = 0;
      st->target = n;
    }
  }
  double a1 = mono_s();
  if (!a.add_after_start) s.start();
  double a2 = mono_s();
  std::int64_t started = wall_us();

  bool done = wait_state(*st, run_date + static_cast<std::int64_t>(a.timeout * 1e6), [&] { return st->count >= n; });
  std::int64_t first, last, executed;
  {
    std::lock_guard lock(st->mutex);
    first = st->first_us;
    last = st->done_us;
    executed = st->count;
  }
  s.shutdown(true);

  JsonLine out;
  double total = (last - run_date) / 1e6;
  out.set("impl", "apsched").set("workload", "w1").set("n", static_cast<long long>(n)).num("lead_s", lead);
  if (a.add_after_start) out.set("variant", "adds after start(), straight into the store");
  out.set("setup_done_before_run_date", started < run_date).num("setup_margin_s", (run_date - started) / 1e6);
  out.set("completed", done).set("executed", static_cast<long long>(executed));
  out.num("total_s", done ? total : NAN).num("jobs_per_s", done ? n / total : NAN, 1);
  out.num("first_exec_after_run_date_ms", (first - run_date) / 1e3, 3).num("drain_s", (last - first) / 1e6);
  out.num("add_pending_s", a1 - a0).num("start_call_s", a2 - a1);
  events.report(out);
  add_log_fields(out);
  return out.str();
}

// ---------------------------------------------------------------- W2

std::string w2(const Args& a, const std::string& variant) {
  constexpr int kProbes = 500;
  constexpr int kBackground = 2000;
  BackgroundScheduler s(options(std::nullopt));
  add_plugins(s, memory_store());
  EventCounter events;
  events.attach(s);

  std::int64_t S = wall_us();
  std::vector<std::int64_t> run_dates(kProbes);
  JobSpec probe;
  probe.func = "bench_jobs:probe";
  apsched_bench::State* st = nullptr;
  for (int i = 0; i < kProbes; ++i) {
    // run_date_i = S + 1.0 + i * (5.0 / 500), to the microsecond
    run_dates[i] = S + 1'000'000 + static_cast<std::int64_t>(i) * 10'000;
    probe.id = job_id("w2p", i);
    probe.args = Value::List{i};
    probe.trigger = TriggerSpec::make("date", {{"run_date", iso(run_dates[i])}});
    s.add_job(probe);
    if (!st) {
      st = &attach_state();
      std::lock_guard lock(st->mutex);
      st->probe_entry_us.assign(kProbes, 0);
      st->probes_run = 0;
      st->bg_count = 0;
      st->bg_in_window = 0;
      st->window_begin_us = S + 1'000'000;
      st->window_end_us = S + 6'000'000;
    }
  }
  if (variant != "w2") {
    JobSpec bg;
    bg.func = "bench_jobs:bg";
    for (int k = 0; k < kBackground; ++k) {
      std::int64_t start = variant == "w2-load" ? S + static_cast<std::int64_t>(k) * 1'000'000 / kBackground : S;
      bg.id = job_id("w2b", k);
      bg.trigger = TriggerSpec::make("interval", {{"seconds", 1}, {"start_date", iso(start)}});
      s.add_job(bg);
    }
  }
  s.start();
  std::int64_t started = wall_us();
  bool done = wait_state(*st, S + static_cast<std::int64_t>((6.0 + a.timeout) * 1e6),
                         [&] { return st->probes_run >= kProbes; });
  std::vector<double> lat;
  std::int64_t bg_window, bg_total, probes_run;
  {
    std::lock_guard lock(st->mutex);
    for (int i = 0; i < kProbes; ++i)
      if (st->probe_entry_us[i]) lat.push_back((st->probe_entry_us[i] - run_dates[i]) / 1e3);
    probes_run = st->probes_run;
  }
  // Probes end at S+5.99 s; the background window is [S+1, S+6): let it close first.
  sleep_until_wall(S + 6'000'000);
  {
    std::lock_guard lock(st->mutex);
    bg_window = st->bg_in_window;
    bg_total = st->bg_count;
  }
  s.shutdown(true);
  std::sort(lat.begin(), lat.end());
  double mean = 0;
  for (double v : lat) mean += v;
  mean = lat.empty() ? NAN : mean / static_cast<double>(lat.size());

  JsonLine out;
  out.set("impl", "apsched").set("workload", variant).set("n", kProbes);
  out.set("setup_done_before_first_probe", started < S + 1'000'000)
      .num("setup_margin_s", (S + 1'000'000 - started) / 1e6);
  out.set("completed", done).set("probes_run", static_cast<long long>(probes_run));
  out.num("p50_ms", nearest_rank(lat, 50), 4).num("p99_ms", nearest_rank(lat, 99), 4);
  out.num("max_ms", lat.empty() ? NAN : lat.back(), 4).num("min_ms", lat.empty() ? NAN : lat.front(), 4);
  out.num("mean_ms", mean, 4);
  if (variant != "w2")
    out.set("bg_exec_in_probe_window", static_cast<long long>(bg_window))
        .set("bg_exec_total", static_cast<long long>(bg_total));
  events.report(out);
  add_log_fields(out);
  return out.str();
}

// ---------------------------------------------------------------- W3

std::string w3(const Args& a) {
  long n = a.n > 0 ? a.n : 100000;
  BackgroundScheduler s(options(std::nullopt));
  add_plugins(s, memory_store());
  EventCounter events;
  events.attach(s);
  s.start(/*paused=*/true);

  JobSpec spec;
  spec.func = "bench_jobs:noop";
  TriggerSpec cron = TriggerSpec::make("cron", {{"minute", "*/5"}});
  // Warm-up: one cron job added and removed, so code paths and caches exist before the baseline.
  spec.id = "w3-warmup";
  spec.trigger = cron;
  s.add_job(spec);
  s.remove_job("w3-warmup");

  // C++ has no GC; the counterpart of gc.collect() is returning freed memory to the OS.
  malloc_trim(0);
  long rss_before = rss_bytes();
  struct mallinfo2 heap_before = mallinfo2();
  double t0 = mono_s();
  for (long i = 0; i < n; ++i) {
    spec.id = job_id("w3", i);
    spec.trigger = TriggerSpec::make("cron", {{"minute", "*/5"}});  // its own trigger spec, nothing shared
    s.add_job(spec);
  }
  double add_s = mono_s() - t0;
  malloc_trim(0);
  long rss_after = rss_bytes();
  struct mallinfo2 heap_after = mallinfo2();
  std::size_t stored = s.get_jobs().size();
  s.shutdown(true);

  JsonLine out;
  out.set("impl", "apsched").set("workload", "w3").set("n", static_cast<long long>(n));
  out.num("bytes_per_job", static_cast<double>(rss_after - rss_before) / static_cast<double>(n), 1);
  out.num("heap_bytes_per_job",
          (static_cast<double>(heap_after.uordblks) - static_cast<double>(heap_before.uordblks)) /
              static_cast<double>(n),
          1);
  out.num("add_s", add_s).num("adds_per_s", n / add_s, 1);
  out.set("rss_before", static_cast<long long>(rss_before)).set("rss_after", static_cast<long long>(rss_after));
  out.set("jobs_in_store", static_cast<long long>(stored));
  events.report(out);
  add_log_fields(out);
  return out.str();
}

// ---------------------------------------------------------------- W4

/** W4 (b): restart on `file` (N stored jobs), then the first pass on its own. */
long w4_restart(const fs::path& file, EventCounter& events, JsonLine& out) {
  long loaded = 0;
  {
    BackgroundScheduler s(options(std::nullopt));
    add_plugins(s, sqlite_store(file));
    events.attach(s);
    double q0 = mono_s();
    s.start();
    double q1 = mono_s();
    std::vector<apsched::core::Job> jobs = s.get_jobs();
    double q2 = mono_s();
    for (auto& j : jobs)
      if (j.problem.empty() && !j.pending) ++loaded;
    out.num("restart_start_return_s", q1 - q0).num("restart_get_jobs_s", q2 - q1);
    out.num("restart_total_s", q2 - q0).set("restart_jobs_loaded", static_cast<long long>(loaded));
    s.shutdown(true);
  }
  // The scheduler thread's first pass, timed where it can be seen from outside: the
  // EventLoopScheduler runs the very same pass (process_due_jobs) in the caller's thread.
  {
    apsched::core::EventLoopScheduler s(options(std::nullopt), [] {});
    add_plugins(s, sqlite_store(file));
    events.attach(s);
    double q0 = mono_s();
    s.start();
    s.process_due_jobs();
    double q1 = mono_s();
    out.num("restart_first_wakeup_s", q1 - q0)
        .set("restart_first_wakeup_how", "EventLoopScheduler: start() + first process_due_jobs()");
    s.shutdown(true);
  }
  return loaded;
}

/**
 * N adds of W4's interval job to a running scheduler on `file`; returns the seconds taken.
 * With `max_s` > 0 it stops after that long (a slow disk must not blow the time budget)
 * and lowers `n` to the number of adds made.
 */
double w4_adds(const fs::path& file, long& n, EventCounter& events, double max_s = 0) {
  BackgroundScheduler s(options(std::nullopt));
  add_plugins(s, sqlite_store(file));
  events.attach(s);
  s.start();
  JobSpec spec;
  spec.func = "bench_jobs:noop";
  spec.trigger = TriggerSpec::make("interval", {{"hours", 1}});
  double t0 = mono_s();
  for (long i = 0; i < n; ++i) {
    spec.id = job_id("w4", i);
    s.add_job(spec);
    if (max_s > 0 && (i & 63) == 63 && mono_s() - t0 > max_s) {
      n = i + 1;
      break;
    }
  }
  double add_s = mono_s() - t0;
  s.shutdown(true);
  return add_s;
}

const char* kW4Format = "sqlite store row: job document as JSON text (sdk::Value::to_json)";
const char* kW4Journal = "WAL, synchronous=FULL, one transaction per add";

std::string w4(const Args& a) {
  long n = a.n > 0 ? a.n : 10000;
  const long asked = n;
  fs::create_directories(a.dir);
  fs::path file = fs::path(a.dir) / ("apsched-w4-" + std::to_string(getpid()) + ".sqlite");
  remove_db(file);
  EventCounter events;

  // (a) adds while running
  double add_s = w4_adds(file, n, events, a.max_add_s);
  JsonLine out;
  out.set("impl", "apsched").set("workload", "w4").set("n", static_cast<long long>(n));
  if (n < asked) out.set("capped", true).set("n_asked", static_cast<long long>(asked));
  long main_bytes = file_size_or_zero(file);
  long wal_bytes = file_size_or_zero(file.string() + "-wal");
  out.num("add_s", add_s).num("adds_per_s", n / add_s, 1);
  out.set("file_bytes", static_cast<long long>(main_bytes + wal_bytes))
      .set("wal_bytes_after_shutdown", static_cast<long long>(wal_bytes))
      .num("bytes_per_job", static_cast<double>(main_bytes + wal_bytes) / static_cast<double>(n), 1)
      .set("format", kW4Format)
      .set("journal", kW4Journal);
  // (b) restart: new scheduler, new store object, same file.
  w4_restart(file, events, out);
  remove_db(file);
  events.report(out);
  add_log_fields(out);
  return out.str();
}

/** Fills --db with N W4 jobs (not timed; put it on tmpfs to make it quick). */
std::string w4_populate(const Args& a) {
  long n = a.n > 0 ? a.n : 10000;
  if (a.db.empty()) throw std::runtime_error("w4-populate needs --db FILE");
  remove_db(a.db);
  EventCounter events;
  double add_s = w4_adds(a.db, n, events);
  JsonLine out;
  out.set("impl", "apsched").set("workload", "w4-populate").set("n", static_cast<long long>(n));
  out.set("db", a.db).num("add_s", add_s).set("file_bytes", static_cast<long long>(file_size_or_zero(a.db)));
  events.report(out);
  add_log_fields(out);
  return out.str();
}

/** W4 (b) alone: copies --db (made by w4-populate) into --dir and restarts on the copy. */
std::string w4_restart_only(const Args& a) {
  if (a.db.empty()) throw std::runtime_error("w4-restart needs --db FILE (made by --workload w4-populate)");
  fs::create_directories(a.dir);
  fs::path file = fs::path(a.dir) / ("apsched-w4r-" + std::to_string(getpid()) + ".sqlite");
  remove_db(file);
  fs::copy_file(a.db, file);
  JsonLine out;
  out.set("impl", "apsched").set("workload", "w4-restart");
  EventCounter events;
  long loaded = w4_restart(file, events, out);
  out.set("n", static_cast<long long>(loaded)).set("file_bytes", static_cast<long long>(file_size_or_zero(file)));
  remove_db(file);
  events.report(out);
  add_log_fields(out);
  return out.str();
}

// ---------------------------------------------------------------- W5

std::string w5(const Args& a) {
  long n = a.n > 0 ? a.n : 1000;
  double lead = a.lead > 0 ? a.lead : 3.0;
  fs::create_directories(a.dir);
  fs::path file = fs::path(a.dir) / ("apsched-w5-" + std::to_string(getpid()) + ".sqlite");
  remove_db(file);
  JsonLine out;
  out.set("impl", "apsched").set("workload", "w5").set("n", static_cast<long long>(n));

  // Phase A
  std::int64_t T = wall_us() + static_cast<std::int64_t>(lead * 1e6);
  std::int64_t a_shutdown_call = 0, b_shutdown_call = 0, R = 0;
  apsched_bench::State* st = nullptr;
  EventCounter events_a, events_b;
  {
    BackgroundScheduler s(options(60.0));
    add_plugins(s, sqlite_store(file));
    events_a.attach(s);
    JobSpec spec;
    spec.func = "bench_jobs:w5log";
    spec.trigger = TriggerSpec::make("interval", {{"seconds", 1}, {"start_date", iso(T)}});
    for (long i = 0; i < n; ++i) {
      spec.id = job_id("w5", i, 5);
      spec.args = Value::List{static_cast<long long>(i)};
      s.add_job(spec);
      if (!st) {
        st = &attach_state();
        std::lock_guard lock(st->mutex);
        st->phase = 1;
        st->w5_log.clear();
        st->w5_log.reserve(static_cast<std::size_t>(n) * 8);
      }
    }
    s.start();
    std::int64_t started = wall_us();
    out.set("A_setup_done_before_T", started < T).num("A_setup_margin_s", (T - started) / 1e6);
    sleep_until_wall(T + 1'500'000);
    a_shutdown_call = wall_us();
    double m0 = mono_s();
    s.shutdown(true);
    out.num("A_shutdown_s", mono_s() - m0);
  }
  {
    std::lock_guard lock(st->mutex);
    st->phase = 2;
  }
  // Outage until R = T + 4.5 s.
  sleep_until_wall(T + 4'500'000);

  // Phase B
  std::atomic<std::int64_t> last_catchup_submit{0};
  {
    BackgroundScheduler s(options(60.0));
    add_plugins(s, sqlite_store(file));
    events_b.attach(s);
    R = wall_us();
    s.add_listener(
        [&](const Event& e) {
          if (!e.scheduled_run_times.empty() && e.scheduled_run_times.front() < R) last_catchup_submit = wall_us();
        },
        apsched::core::EVENT_JOB_SUBMITTED);
    s.start();
    std::int64_t deadline = R + static_cast<std::int64_t>(a.timeout * 1e6);
    while (wall_us() < deadline) {
      bool all = false;
      {
        std::lock_guard lock(st->mutex);
        std::set<int> ran;
        for (auto& e : st->w5_log)
          if (e.phase == 2 && e.entry_us >= R) ran.insert(e.index);
        all = static_cast<long>(ran.size()) >= n;
      }
      if (all && wall_us() >= R + 1'000'000) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    b_shutdown_call = wall_us();
    s.shutdown(true);
  }
  remove_db(file);

  std::vector<apsched_bench::W5Entry> log;
  {
    std::lock_guard lock(st->mutex);
    log = st->w5_log;
  }
  long a_exec = 0, first_1s = 0, first_1s_catchup = 0, first_1s_regular = 0, catchup_total = 0;
  std::map<long, long> a_by_offset;
  std::map<int, long> catchup_per_job;
  std::set<double> catchup_offsets;
  std::map<int, std::int64_t> first_after_r;
  for (auto& e : log) {
    if (e.phase == 1) {
      ++a_exec;
      ++a_by_offset[std::lround((e.scheduled_us - T) / 1e6)];
      continue;
    }
    if (e.entry_us >= R && e.entry_us < R + 1'000'000) {
      ++first_1s;
      if (e.scheduled_us < R) ++first_1s_catchup;
      else ++first_1s_regular;
    }
    if (e.scheduled_us < R) {
      ++catchup_total;
      ++catchup_per_job[e.index];
      catchup_offsets.insert(round_to((e.scheduled_us - T) / 1e6, 3));
    }
    if (e.entry_us >= R) {
      auto [it, added] = first_after_r.try_emplace(e.index, e.entry_us);
      if (!added) it->second = std::min(it->second, e.entry_us);
    }
  }
  long per_job_max = 0;
  for (auto& [i, c] : catchup_per_job) per_job_max = std::max(per_job_max, c);
  std::int64_t all_once = 0, first_run = INT64_MAX;
  for (auto& [i, t] : first_after_r) {
    all_once = std::max(all_once, t - R);
    first_run = std::min(first_run, t - R);
  }
  long errors_after_a = 0, errors_after_b = 0, errors_other = 0;
  for (auto& r : g_sink->records()) {
    if (r.level < spdlog::level::err) continue;
    if (r.at_us >= b_shutdown_call) ++errors_after_b;
    else if (r.at_us >= a_shutdown_call && r.at_us < R) ++errors_after_a;
    else ++errors_other;
  }

  Value::Map by_offset;
  for (auto& [off, c] : a_by_offset) by_offset[std::to_string(off)] = static_cast<long long>(c);
  Value::List offsets;
  for (double o : catchup_offsets) offsets.emplace_back(o);
  out.set("A_executions", static_cast<long long>(a_exec)).set("A_exec_by_sched_offset_s", by_offset);
  out.set("exec_first_1s", static_cast<long long>(first_1s))
      .set("exec_first_1s_catchup", static_cast<long long>(first_1s_catchup))
      .set("exec_first_1s_regular", static_cast<long long>(first_1s_regular));
  out.set("catchup_runs_total", static_cast<long long>(catchup_total))
      .set("catchup_runs_per_job_max", static_cast<long long>(per_job_max))
      .set("catchup_sched_offset_s", offsets);
  out.set("jobs_run_after_restart", static_cast<long long>(first_after_r.size()));
  out.num("all_ran_once_after_restart_s", static_cast<long>(first_after_r.size()) == n ? all_once / 1e6 : NAN)
      .num("first_run_after_restart_s", first_after_r.empty() ? NAN : first_run / 1e6);
  out.num("B_first_pass_s", last_catchup_submit ? (last_catchup_submit - R) / 1e6 : NAN)
      .set("B_first_pass_how", "R to the last EVENT_JOB_SUBMITTED of a catch-up run (scheduler thread)");
  out.set("A_missed_events", static_cast<long long>(events_a.missed.load()))
      .set("A_max_instances_events", static_cast<long long>(events_a.max_instances.load()))
      .set("B_missed_events", static_cast<long long>(events_b.missed.load()))
      .set("B_max_instances_events", static_cast<long long>(events_b.max_instances.load()))
      .set("error_events", static_cast<long long>(events_a.errors.load() + events_b.errors.load()));
  out.set("errors_after_A_shutdown", static_cast<long long>(errors_after_a))
      .set("errors_after_B_shutdown", static_cast<long long>(errors_after_b))
      .set("errors_other", static_cast<long long>(errors_other));
  out.set("missed_events", static_cast<long long>(events_a.missed.load() + events_b.missed.load()))
      .set("max_instances_events", static_cast<long long>(events_a.max_instances.load() + events_b.max_instances.load()));
  add_log_fields(out);
  return out.str();
}

// ---------------------------------------------------------------- cron next-fire-time

/**
 * Time per next_fire_time of the real cron plugin, through preview_trigger (the code
 * behind `apsched next`): the first fire time at or after `from`, then each next one
 * strictly after the previous. The plugin's set-up (one preview of one time) is
 * measured separately and subtracted.
 */
std::string cron(const Args& a) {
  const std::vector<std::pair<std::string, Value::Map>> cases = {
      {"minute='*/5'", {{"minute", "*/5"}}},
      {"second='*/10'", {{"second", "*/10"}}},
      {"day_of_week='mon-fri', hour=9, minute=30", {{"day_of_week", "mon-fri"}, {"hour", 9}, {"minute", 30}}},
      {"day='last', hour=0", {{"day", "last"}, {"hour", 0}}},
      {"hour='*/2', minute=15, Europe/Berlin", {{"hour", "*/2"}, {"minute", 15}, {"timezone", "Europe/Berlin"}}},
  };
  SchedulerOptions o = options(std::nullopt);
  std::int64_t from = apsched::sdk::parse_datetime("2026-01-01T00:00:00Z", "UTC");
  JsonLine out;
  out.set("impl", "apsched").set("workload", "cron").set("count", static_cast<long long>(a.count));
  Value::Map per_call;
  for (auto& [name, fields] : cases) {
    TriggerSpec spec = TriggerSpec::make("cron", fields);
    int count = static_cast<int>(a.count);
    // The best of each part on its own: the best of their difference would pick the run
    // whose set-up was slowest (and could come out below zero).
    double best_setup = 1e9;
    double best_all = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      double s0 = mono_s();
      auto one = apsched::core::preview_trigger(spec, from, 1, o);
      double s1 = mono_s();
      auto many = apsched::core::preview_trigger(spec, from, count, o);
      double s2 = mono_s();
      if (static_cast<int>(many.times.size()) != count || one.times.size() != 1)
        throw std::runtime_error("cron case " + name + " ended early");
      best_setup = std::min(best_setup, s1 - s0);
      best_all = std::min(best_all, s2 - s1);
    }
    per_call[name] = round_to((best_all - best_setup) / (count - 1) * 1e6, 4);  // microseconds per call
  }
  out.set("us_per_call", per_call);
  add_log_fields(out);
  return out.str();
}

void usage() {
  std::cerr << "usage: apsched-bench --workload w1|w2|w2-load|w2-burst|w3|w4|w5|cron [--n N] [--dir DIR]\n"
               "                     [--lead SECONDS] [--timeout SECONDS] [--count N] [--add-after-start]\n"
               "                     [--max-add-s SECONDS]\n"
               "       apsched-bench --workload w4-populate --n N --db FILE\n"
               "       apsched-bench --workload w4-restart --db FILE [--dir DIR]\n";
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (k == "--workload") a.workload = value();
      else if (k == "--n") a.n = std::stol(value());
      else if (k == "--dir") a.dir = value();
      else if (k == "--lead") a.lead = std::stod(value());
      else if (k == "--timeout") a.timeout = std::stod(value());
      else if (k == "--count") a.count = std::stol(value());
      else if (k == "--db") a.db = value();
      else if (k == "--add-after-start") a.add_after_start = true;
      else if (k == "--max-add-s") a.max_add_s = std::stod(value());
      else if (k == "-h" || k == "--help") {
        usage();
        return 0;
      } else {
        usage();
        return 2;
      }
    } catch (const std::logic_error&) {
      std::cerr << "apsched-bench: bad value for " << k << "\n";
      return 2;
    }
  }
  install_log_counter();
  try {
    std::string line;
    if (a.workload == "w1") line = w1(a);
    else if (a.workload == "w2" || a.workload == "w2-load" || a.workload == "w2-burst") line = w2(a, a.workload);
    else if (a.workload == "w3") line = w3(a);
    else if (a.workload == "w4") line = w4(a);
    else if (a.workload == "w4-populate") line = w4_populate(a);
    else if (a.workload == "w4-restart") line = w4_restart_only(a);
    else if (a.workload == "w5") line = w5(a);
    else if (a.workload == "cron") line = cron(a);
    else {
      usage();
      return 2;
    }
    std::cout << line << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "apsched-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

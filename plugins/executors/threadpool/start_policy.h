#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace apsched::executors {

/**
 * When a thread pool's workers take queued runs, and how many idle workers a submit wakes.
 *
 * Waking every idle worker for a batch of short runs crowds the CPUs: on a 2-CPU machine
 * the woken workers took the CPU of the scheduler thread that was preparing the next
 * batch, so that the two took turns instead of working side by side (10,000 one-shot jobs
 * due at once ran at ~370k/s with every worker woken, ~600k/s with one worker draining).
 * So:
 *  - at most `parallel` workers take runs at once (a pool makes it the CPUs but one, which
 *    is left to whoever submits). A worker counts while its current run started less than
 *    `settle` ago: an older run is long or blocked (sleep, I/O) and no longer counts, so a
 *    run submitted next to it starts at once on another worker;
 *  - when the oldest queued run has waited `longest_wait`, every idle worker takes runs
 *    until the queue is empty ("all hands"): runs that block all start, and runs too long
 *    for one worker to keep up with (a burst of runs of a millisecond each) spread over
 *    every CPU. An idle worker watches for that: while runs are queued, one idle worker
 *    (the watcher) waits with that deadline instead of without one.
 *
 * Workers are numbered 0..workers-1 (their slots). Each wake-up the pool hands out has a
 * reason (Wake), claimed by exactly one waking worker, which tells woke(): the counts of
 * workers on their way to take runs and of the watcher asked for stay exact whatever the
 * wake-ups' order, spurious wake-ups and deadlines (counting any return from waiting as
 * the wake-up asked for let them drift until every worker waited with runs queued).
 * THREADING: none of its own; the pool calls every function under its lock.
 */
class StartPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  /** Why the pool woke a worker. */
  enum class Wake : std::uint8_t {
    none,      ///< not woken: the watcher's deadline passed
    take,      ///< to take runs (submitted())
    watch,     ///< to watch the queue (submitted(), took())
    everyone,  ///< with every idle worker: all hands (watched()) or shutdown
  };
  /** Whom to wake for a submit: `takers` workers to take runs, and a watcher or not. */
  struct Wakes {
    std::size_t takers = 0;
    bool watcher = false;
    friend bool operator==(const Wakes&, const Wakes&) = default;
  };

  StartPolicy(std::size_t workers, std::size_t parallel, Clock::duration settle, Clock::duration longest_wait);

  /** How many workers take short runs at once on `cpus` CPUs: all but one, at least one. */
  static std::size_t parallel_for_cpus(unsigned cpus) noexcept { return cpus > 1 ? cpus - 1 : 1; }

  /**
   * `queued` runs were added at `now` to the `waiting` already queued; `idle` workers
   * wait. Returns whom of them to wake (takers + watcher <= idle).
   */
  Wakes submitted(Clock::time_point now, std::size_t queued, std::size_t waiting, std::size_t idle);

  /** Whether worker `slot`, awake, takes the next queued run at `now`. */
  bool may_take(std::size_t slot, Clock::time_point now) const;

  /**
   * Worker `slot` took a run at `now`; `left` runs are still queued and `idle` workers
   * wait. Returns true when one of them is to be woken to watch the queue (Wake::watch).
   */
  bool took(std::size_t slot, Clock::time_point now, std::size_t left, std::size_t idle);

  /**
   * Worker `slot` is about to wait for work while `queued` runs wait. Returns true when it
   * is the watcher: it waits until watch_deadline() instead of until it is woken.
   */
  bool going_idle(std::size_t slot, std::size_t queued);
  /** Worker `slot` woke up, woken by the pool for `why` (Wake::none: its deadline passed). */
  void woke(std::size_t slot, Wake why);
  /** When the watcher looks again, the oldest queued run having been queued at `oldest`. */
  Clock::time_point watch_deadline(Clock::time_point oldest) const noexcept { return oldest + longest_wait_; }
  /**
   * The watcher woke at `now`; the oldest queued run was queued at `oldest` (none: the
   * queue is empty). Returns true when it has waited `longest_wait`: every worker now
   * takes runs until the queue is empty, and the idle ones are to be woken (Wake::everyone).
   */
  bool watched(Clock::time_point now, std::optional<Clock::time_point> oldest);

  /** Every worker takes runs from now on (the pool shuts down: the queue is drained). */
  void drain() noexcept { draining_ = true; }

 private:
  /** Workers on their way to take runs, and those but `except` whose run counts toward `parallel`. */
  std::size_t counted(Clock::time_point now, std::optional<std::size_t> except) const;
  /** Whether to wake an idle worker to watch the `queued` runs (and note that one is asked). */
  bool want_watcher(std::size_t queued, std::size_t idle);

  const std::size_t parallel_;
  const Clock::duration settle_;
  const Clock::duration longest_wait_;
  std::vector<std::optional<Clock::time_point>> taken_at_;  // by slot: when its current run was taken
  std::size_t waking_ = 0;                // woken to take runs, not awake yet
  std::optional<std::size_t> watcher_;    // the slot watching the queue
  bool watcher_asked_ = false;            // an idle worker was woken to watch, and has not woken yet
  bool all_hands_ = false;                // a run waited longest_wait: all take runs until the queue is empty
  bool draining_ = false;
};

}  // namespace apsched::executors

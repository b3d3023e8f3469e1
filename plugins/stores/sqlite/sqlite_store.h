#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <apsched/sdk/host.h>
#include <apsched/sdk/store.h>
#include <apsched/sdk/value.h>

#include "store_options.h"

namespace apsched::stores::sqlite {

class Database;

/**
 * The `sqlite` job store: one row per job in a table of an SQLite file (see schema.cpp
 * for the layout), in WAL mode with synchronous=FULL, so that each call's change is
 * durable when it returns and other processes (`apsched jobs`) can read the file while
 * a scheduler writes it.
 *
 * Configuration: `{type: sqlite, path: FILE, table: NAME, busy_timeout: SECONDS}`;
 * `path` is required (relative to the host's base directory), `table` defaults to
 * `apscheduler_jobs`, `busy_timeout` (how long to wait for another connection's lock
 * before failing) to 5. Constructing the store only validates this; start() opens the
 * file, creating it, or refusing it when its schema version is newer than ours.
 *
 * Semantics beyond store.h:
 *  - Order is (next_run_time, insertion sequence), paused jobs last in insertion order.
 *    The sequence is assigned by add() and kept by update() and release().
 *  - A lease is live while lease_expires > now. acquire_due() skips records under a live
 *    lease of another owner (its own it acquires again) and replaces `out`.
 *  - earliest_run_time() ignores records under any live lease, the caller's own
 *    included, and for those reports instead the instant they can be acquired again,
 *    max(next_run_time, lease_expires). So a job parked with hold(), or still being run,
 *    does not make the scheduler wake at once in a loop, and is retried once its lease
 *    runs out.
 *  - update() is a modification by the kernel: it drops any lease, so that a release
 *    for that record by the former holder is ignored and cannot undo it.
 *  - release() applies only to records still leased by `owner` (whether or not the
 *    lease has expired meanwhile); others are skipped silently.
 *  - hold() sets the lease on records that are free, expired, or already the owner's;
 *    unknown ids and records under another owner's live lease are skipped (its `now` is
 *    the host's clock).
 *  - Records that cannot be decoded are returned flagged by get/list/acquire_due and are
 *    never changed by the store on its own.
 *
 * Errors name the database path, the action and SQLite's message, plus the cause found
 * on the file system where there is one.
 */
class SqliteStore final : public sdk::JobStore {
 public:
  SqliteStore(sdk::Host& host, const sdk::Value& config);
  ~SqliteStore() override;

  sdk::Status start() noexcept override;
  void shutdown() noexcept override;

  sdk::Status add(const sdk::JobRecord& job) noexcept override;
  sdk::Status update(const sdk::JobRecord& job) noexcept override;
  sdk::Status remove(const std::string& id) noexcept override;
  sdk::Status remove_all() noexcept override;

  sdk::Status get(const std::string& id, std::optional<sdk::JobRecord>& out) noexcept override;
  sdk::Status list_each(const std::function<void(sdk::JobRecord&)>& visit) noexcept override;
  sdk::Status count(std::size_t& out) noexcept override;

  sdk::Status earliest_run_time(sdk::Timestamp now, const std::string& owner,
                                std::optional<sdk::Timestamp>& out) noexcept override;
  sdk::Status acquire_due(sdk::Timestamp now, const sdk::Lease& lease, std::size_t limit,
                          const sdk::KnownRevision& known, std::vector<sdk::JobRecord>& out) noexcept override;
  sdk::Status release(const std::string& owner, const std::vector<sdk::Release>& outcomes) noexcept override;
  sdk::Status hold(const std::vector<std::string>& ids, const sdk::Lease& lease) noexcept override;

  const StoreOptions& options() const noexcept { return options_; }

 private:
  struct Connection;  // the database connection and its prepared statements

  /** Logs a WARNING for each row (the first ten) whose next_run_time is no number: it never comes due. */
  void warn_of_unschedulable_rows(Database& db) noexcept;

  /**
   * Runs `fn(Connection&)` under mutex_, failing when the store is not started, and
   * turns any failure into a Status naming the path and the action (`verb` plus `id`).
   */
  template <typename Fn>
  sdk::Status call(std::string_view verb, std::string_view id, Fn&& fn) noexcept;

  sdk::Host& host_;
  const StoreOptions options_;

  // LOCKING RULE: mutex_ guards connection_, i.e. the one SQLite connection and every
  // statement prepared on it. Each public call holds it from start to end, so calls on
  // one store object never interleave on the connection, even though the kernel already
  // serialises them. Nothing is called back while it is held except SQLite and the
  // host's log and clock. Other store objects and other processes have connections of
  // their own; SQLite's file locks (WAL, busy timeout) coordinate those.
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;  ///< null before start() and after shutdown()
};

}  // namespace apsched::stores::sqlite

#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apsched/sdk/export.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {

/**
 * A job as a store keeps it. The store understands only `id`, `next_run_time` (its
 * ordering key; nullopt = paused) and the lease; `document` is the job's full
 * description, owned by the kernel, which the store persists as it is (`to_json`).
 */
struct JobRecord {
  std::string id;
  std::optional<Timestamp> next_run_time;
  Value document;
  /**
   * Set by the store when the row exists but cannot be read back (corrupt value, bad
   * encoding): `document` is then null and `raw` holds what was read. Such a record is
   * never deleted by the store; the kernel reports it and skips it.
   */
  std::string decode_error;
  std::string raw;
  /**
   * Set by a store that can tell when a document changes: a number that is different
   * after every add or update of the id (release() does not change it). The kernel then
   * reuses what it decoded from the same id and revision instead of decoding again.
   * 0: the store does not track revisions (every record is decoded).
   */
  std::uint64_t revision = 0;
  /**
   * Set by acquire_due on a record that it removed from the store as it handed it over,
   * instead of leasing it (the caller answered Held::last_run): the caller releases
   * nothing for it.
   */
  bool taken = false;
};

/** What the caller of acquire_due or peek_due holds of a record, as its `known` answers. */
enum class Held : std::uint8_t {
  nothing,   ///< it needs the record's document
  decoded,   ///< it holds what it decoded from this id at this revision: the document may be left out
  last_run,  ///< as `decoded`, and the run due at `next_run_time` is the job's last (its trigger has no later one)
};

/**
 * Asked by a store about a record it is about to hand out: what the caller holds of the
 * record with `id` at `revision`, whose ordering key is `next_run_time`.
 */
using KnownRevision =
    std::function<Held(std::string_view id, std::uint64_t revision, std::optional<Timestamp> next_run_time)>;

/** Who holds due jobs while running them, and until when (several hosts may share a store). */
struct Lease {
  std::string owner;   ///< unique per scheduler instance
  Timestamp expires;   ///< after this instant other schedulers may acquire the job again
};

/** The outcome of a run for one acquired job. */
struct Release {
  std::string id;
  std::optional<Timestamp> next_run_time;  ///< new ordering key; nullopt = paused
  bool remove = false;                     ///< the job has no run time left: delete it
};

/**
 * A job store. Ordering is by (next_run_time, insertion), paused jobs last.
 *
 * Every mutating call is atomic (one transaction in a database store). Records leased
 * by a live lease of another owner are invisible to acquire_due and
 * earliest_run_time; list/get see every record.
 *
 * THREADING: the kernel serialises all calls on one store object.
 */
class APSCHED_VISIBLE JobStore {
 public:
  virtual ~JobStore();

  /** Called once before any other call; may open files or connections. */
  virtual Status start() noexcept = 0;
  virtual void shutdown() noexcept = 0;

  /** Fails with Code::already_exists when the id is taken. */
  virtual Status add(const JobRecord& job) noexcept = 0;
  /** Replaces next_run_time and document; Code::not_found when absent. */
  virtual Status update(const JobRecord& job) noexcept = 0;
  /** Code::not_found when absent. */
  virtual Status remove(const std::string& id) noexcept = 0;
  virtual Status remove_all() noexcept = 0;

  /** `out` is nullopt when absent. */
  virtual Status get(const std::string& id, std::optional<JobRecord>& out) noexcept = 0;
  /**
   * Calls `visit` with every record in order, undecodable ones included (flagged), one
   * at a time, so that listing many jobs never holds all their documents at once. The
   * record may be moved from. `visit` must not call the store; an exception from it
   * ends the listing and is returned as an error.
   */
  virtual Status list_each(const std::function<void(JobRecord&)>& visit) noexcept = 0;

  /** How many records the store holds, undecodable ones included. */
  virtual Status count(std::size_t& out) noexcept = 0;

  /** Every record in order, collected through list_each. */
  Status list(std::vector<JobRecord>& out) noexcept;

  /** Earliest next_run_time among records not leased by another live owner. */
  virtual Status earliest_run_time(Timestamp now, const std::string& owner,
                                   std::optional<Timestamp>& out) noexcept = 0;

  /**
   * Atomically leases up to `limit` records due at `now` (next_run_time <= now) that no
   * other live lease holds, in order, and returns them. Undecodable due records are
   * returned too (flagged) so the kernel can report and park them.
   *
   * `known` (may be empty) says whether the caller still holds what it decoded from a
   * record's id at its revision: a store that tracks revisions may then leave that
   * record's `document` null instead of reading it. It is called with the store's state
   * locked and must not call the store.
   *
   * When `known` answers Held::last_run, the store may remove the record as it hands it
   * over, without a lease, and set `taken` on it: a one-shot job then costs one store
   * operation instead of a lease and a release. A store whose records must outlive a
   * crash of the caller between the two (a database shared by several hosts) leases it
   * as any other; the caller then releases it with `remove`.
   */
  virtual Status acquire_due(Timestamp now, const Lease& lease, std::size_t limit, const KnownRevision& known,
                             std::vector<JobRecord>& out) noexcept = 0;

  /**
   * Atomically applies the outcomes for jobs leased by `owner` and drops their leases.
   * A release for a record not leased by `owner` (modified or removed meanwhile) is
   * ignored for that record.
   */
  virtual Status release(const std::string& owner, const std::vector<Release>& outcomes) noexcept = 0;

  /** Extends or sets the lease on the given records (used to park jobs that must wait). */
  virtual Status hold(const std::vector<std::string>& ids, const Lease& lease) noexcept = 0;

  /**
   * A look ahead, changing nothing: up to `limit` records, in order, that will be due at
   * `until` (next_run_time <= until), that no live lease holds at `now`, and whose
   * documents the caller does not hold yet (`known` says false; called as in
   * acquire_due). The kernel decodes them while it waits for `until`, so that their runs
   * start without decoding; it only keeps what it decoded from records with a revision.
   * `after` (empty: from the first) is the id of the last record the previous call
   * returned: the store continues after where that record now is, or from the first if
   * it is gone.
   *
   * The default returns nothing, which is right for a store that does not track
   * revisions. Undecodable records may be left out: acquire_due reports them.
   */
  virtual Status peek_due(Timestamp now, Timestamp until, std::string_view after, std::size_t limit,
                          const KnownRevision& known, std::vector<JobRecord>& out) noexcept;
};

}  // namespace apsched::sdk

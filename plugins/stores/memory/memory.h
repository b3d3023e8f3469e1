#pragma once
#include <apsched/sdk/host.h>
#include <apsched/sdk/store.h>
#include <apsched/sdk/value.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace apsched::stores {

/**
 * Keeps jobs in memory (APScheduler's MemoryJobStore); no configuration besides `type`.
 *
 * Semantics, in store.h's terms:
 *  - Order is (next_run_time, insertion sequence), paused records (no next_run_time)
 *    last. The sequence is assigned by add() and kept by update() and release().
 *  - A lease is live while `expires > now`. acquire_due() skips records with a live
 *    lease of another owner; records leased by the caller itself (e.g. parked with
 *    hold()) are acquired again.
 *  - earliest_run_time() leaves out every record with a live lease, whoever owns it,
 *    so that jobs the caller parked with hold() do not keep it waking up. Instead, a
 *    live-leased record offers max(next_run_time, lease expiry) as its wake time: the
 *    first instant it can be acquired by anyone. The `owner` argument is therefore not
 *    needed. Records whose lease has expired count with their next_run_time.
 *  - release() applies an outcome only to a record whose lease still names `owner`
 *    (also when that lease has expired but nobody took the record since), then clears
 *    the lease. update() clears the lease too, so a release for a job modified while it
 *    ran is ignored, as store.h requires. remove() and remove_all() drop leases with
 *    their records.
 *  - hold() sets the lease on the named records; it ignores absent ids and records with
 *    a live lease of another owner (judged by host.now()).
 *  - Records are never undecodable here (documents stay in memory as Values), so
 *    `decode_error`/`raw` of added records are not kept.
 *
 * Cost: add/update/remove/get O(log n); earliest_run_time O(log n + e) where e is the
 * number of expired leases not yet released; acquire_due O((k + s) log n) for k
 * acquired and s skipped records. An unleased record costs one ordered-map node and
 * one hash-index node; only leased records carry lease bookkeeping.
 */
class MemoryStore final : public sdk::JobStore {
 public:
  MemoryStore(sdk::Host& host, const sdk::Value& config);

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
                          std::vector<sdk::JobRecord>& out) noexcept override;
  sdk::Status release(const std::string& owner, const std::vector<sdk::Release>& outcomes) noexcept override;
  sdk::Status hold(const std::vector<std::string>& ids, const sdk::Lease& lease) noexcept override;

  /** Number of records (for tests and diagnostics). */
  std::size_t size() const;
  /** Number of records carrying a lease, live or expired (for tests). */
  std::size_t leased_count() const;

 private:
  static constexpr std::uint64_t kPausedBit = std::uint64_t{1} << 63;

  /** Ordering key: `seq` is the insertion sequence, with kPausedBit set when paused. */
  struct Key {
    sdk::Timestamp time;  ///< next_run_time; 0 when paused
    std::uint64_t seq;
    bool paused() const noexcept { return (seq & kPausedBit) != 0; }
    std::uint64_t sequence() const noexcept { return seq & ~kPausedBit; }
  };
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const noexcept {
      if (a.paused() != b.paused()) return b.paused();
      if (a.time != b.time) return a.time < b.time;
      return a.seq < b.seq;
    }
  };
  struct Entry {
    std::string id;
    sdk::Value document;
  };
  using Order = std::map<Key, Entry, KeyLess>;

  /** Where a record lives: in free_ (no lease) or leased_. */
  struct Slot {
    Order::iterator it;
    bool leased;
  };
  using Index = std::unordered_map<std::string_view, Slot>;  // keys view Entry::id

  struct LeaseInfo {
    std::string owner;
    sdk::Timestamp expires;
  };
  /** A leased record in a side order: by expiry, or by wake time max(next_run_time, expiry). */
  struct Mark {
    sdk::Timestamp time;
    Key key;
    sdk::Timestamp expires;
  };
  struct MarkLess {
    bool operator()(const Mark& a, const Mark& b) const noexcept {
      if (a.time != b.time) return a.time < b.time;
      return KeyLess{}(a.key, b.key);
    }
  };

  static Key make_key(const std::optional<sdk::Timestamp>& next_run_time, std::uint64_t sequence) noexcept;
  static sdk::JobRecord to_record(const Order::value_type& node);

  Order& map_of(const Slot& slot) noexcept { return slot.leased ? leased_ : free_; }
  void set_lease(Slot& slot, const sdk::Lease& lease);
  void clear_lease(Slot& slot);
  void add_marks(const Key& key, sdk::Timestamp expires);
  void remove_marks(const Key& key, sdk::Timestamp expires);
  void rekey(Slot& slot, const std::optional<sdk::Timestamp>& next_run_time);
  void erase(Index::iterator where);

  sdk::Host& host_;

  // Lock rule: every public method takes mutex_ for its whole duration and calls
  // nothing outside this object while holding it (except host_.now() in hold()). The
  // kernel already serialises calls; the lock makes the store safe regardless.
  mutable std::mutex mutex_;
  Order free_;    // records without a lease
  Order leased_;  // records with a lease (live or expired)
  Index index_;   // id -> record
  std::unordered_map<std::uint64_t, LeaseInfo> leases_;  // by Key::sequence(), leased records only
  std::set<Mark, MarkLess> by_expiry_;  // (expires, key) of every leased record
  std::set<Mark, MarkLess> by_wake_;    // (max(next_run_time, expires), key) of leased, unpaused records
  std::uint64_t next_sequence_ = 0;
};

}  // namespace apsched::stores

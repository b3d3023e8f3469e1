#pragma once
#include <apsched/sdk/host.h>
#include <apsched/sdk/pointer_index.h>
#include <apsched/sdk/store.h>
#include <apsched/sdk/value.h>

#include "compact_value.h"
#include "string_hash.h"

#include <boost/intrusive/set.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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
 *  - Each record carries a revision, new on every add() and update(), so the kernel can
 *    tell that a document it decoded before is unchanged without comparing it.
 *  - acquire_due() removes a record whose `known` answer is Held::last_run as it hands
 *    it over (`taken`), instead of leasing it: a one-shot job's run costs the scheduler
 *    one removal, not a lease, a release and a removal.
 *  - peek_due() shows the records due at `until` that no live lease holds at `now` and
 *    that the caller does not hold decoded, with their documents, continuing after the
 *    record `after` (by its key now); it changes nothing.
 *  - Records are never undecodable here (the store encoded every document itself), so
 *    `decode_error`/`raw` of added records are not kept.
 *
 * Memory: a record is one allocation (its key, lease group, links in its order, id and
 * document as a compact value, see compact_value.h) plus 2-4 slots of 8 bytes in the id
 * index (an sdk::PointerIndex); the map keys of all documents are kept once, in a
 * KeyTable. For a typical job that is about 215 bytes, where the document as a Value
 * tree alone took over 1.5 KB. The price is building the Value tree again for get/list/peek_due/
 * acquire_due (about 7k instructions for a typical job); acquire_due leaves it out for
 * the records its caller says it holds at their revision (the kernel's decoded jobs),
 * so it is built once per job and change, usually by the kernel's look ahead.
 *
 * Leases: the records leased by one acquire_due() or hold() call share one LeaseGroup
 * (owner, expiry, members' keys in order), so a lease costs a group id in the record and
 * a key appended to its group, not a map entry and two set nodes per record. A group
 * ends with its last member; the kernel's acquire-then-release within a pass opens and
 * ends one group per pass.
 *
 * Cost: add/update/remove/get O(log n); earliest_run_time O((1 + g) log n) for g lease
 * groups (plus, amortised, the keys of members that left a group); acquire_due and
 * peek_due O((k + s) log n) for k records returned and s skipped.
 */
class MemoryStore final : public sdk::JobStore {
 public:
  MemoryStore(sdk::Host& host, const sdk::Value& config);
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

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
  sdk::Status peek_due(sdk::Timestamp now, sdk::Timestamp until, std::string_view after, std::size_t limit,
                       const sdk::KnownRevision& known, std::vector<sdk::JobRecord>& out) noexcept override;

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
  struct Record;
  /** Orders records by key; also compares a record with a bare Key (to find a group's member). */
  struct RecordLess {
    bool operator()(const Record& a, const Record& b) const noexcept;
    bool operator()(const Record& a, const Key& b) const noexcept;
    bool operator()(const Key& a, const Record& b) const noexcept;
  };
  /** A record's links in free_ or leased_ (it is in one of them), inside the record. */
  using OrderHook = boost::intrusive::set_member_hook<boost::intrusive::link_mode<boost::intrusive::normal_link>,
                                                      boost::intrusive::optimize_size<true>>;
  /**
   * One job, in one allocation: this header (its links in its order included, so that
   * storing a record allocates nothing but the index's slots), then the id's bytes, then
   * the document's (a compact value). Created by make_record, freed by RecordDelete.
   */
  struct Record {
    Key key;
    std::uint64_t revision;
    OrderHook order_hook;
    std::uint32_t id_size;
    std::uint32_t document_size;
    std::uint32_t lease;  ///< its LeaseGroup's id, and then it is in leased_; 0: no lease, in free_
    std::uint32_t id_hash;  ///< id_hash_of(id), so that the index never hashes it again

    std::string_view id() const noexcept { return {bytes(), id_size}; }
    std::string_view document() const noexcept { return {bytes() + id_size, document_size}; }
    char* bytes() noexcept { return reinterpret_cast<char*>(this + 1); }
    const char* bytes() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  };
  /** Records by key (keys are unique: a sequence number each); links the records, owns none. */
  using Order = boost::intrusive::multiset<Record, boost::intrusive::member_hook<Record, OrderHook, &Record::order_hook>,
                                           boost::intrusive::compare<RecordLess>>;
  struct RecordDelete {
    void operator()(Record* record) const noexcept;
  };
  using RecordPtr = std::unique_ptr<Record, RecordDelete>;
  /**
   * Records by id. A record's hash is the one it keeps: erasing a record and growing the
   * index read a number instead of hashing ids. 32 bits are plenty for a table's slots.
   */
  static std::uint32_t id_hash_of(std::string_view id) noexcept { return static_cast<std::uint32_t>(StringHash{}(id)); }
  struct IndexTraits {
    static std::string_view key(const Record& r) noexcept { return r.id(); }
    static std::size_t hash(const Record& r) noexcept { return r.id_hash; }
  };
  using Index = sdk::PointerIndex<Record, IndexTraits>;

  /**
   * The lease of the records one acquire_due() or hold() call leased. A record's key does
   * not change while it is leased (release() and update() end the lease first), so `keys`
   * stays in ascending order; members that left stay in it until pruned from the front.
   */
  struct LeaseGroup {
    std::string owner;
    sdk::Timestamp expires;
    std::size_t members = 0;  ///< records whose `lease` names this group
    std::vector<Key> keys;    ///< the members' keys as they joined, ascending
    std::size_t first = 0;    ///< keys before this left the group
  };
  using Groups = std::unordered_map<std::uint32_t, LeaseGroup>;

  static Key make_key(const std::optional<sdk::Timestamp>& next_run_time, std::uint64_t sequence) noexcept;
  static std::optional<sdk::Timestamp> next_run_time_of(const Record& record) noexcept;
  /** A new record holding `job`'s id and document, not yet in any order or the index. */
  RecordPtr make_record(const sdk::JobRecord& job, Key key);
  /** The record as the SDK's; its document decoded unless `without_document`. */
  sdk::JobRecord to_record(const Record& record, bool without_document = false) const;
  Record* find(std::string_view id);
  /**
   * Records due at `due_at`, in order (both orders merged), after `from` (null: from the
   * first) that `take` accepts, up to `limit`.
   */
  template <typename Take>
  void collect_due(sdk::Timestamp due_at, const Key* from, std::size_t limit, Take take,
                   std::vector<Record*>& picked);

  Order& order_of(const Record& record) noexcept { return record.lease != 0 ? leased_ : free_; }
  /** The record's lease group if its lease is live at `now`, else null. */
  const LeaseGroup* live_lease(const Record& record, sdk::Timestamp now) const;
  /** A new group for `lease`, without members (the caller closes it if none join). */
  Groups::iterator open_group(const sdk::Lease& lease);
  void close_if_empty(Groups::iterator group);
  /** Makes `record` a member of `group`, leaving its former group if it had one. */
  void join(Record& record, Groups::iterator group);
  /** The record leaves its group; it stays in leased_ (the caller moves or erases it). */
  void leave_group(Record& record);
  void clear_lease(Record& record);
  /** The smallest key of the group's members (pruning the keys of members that left). */
  const Key& first_member(Groups::value_type& group);
  void rekey(Record& record, const std::optional<sdk::Timestamp>& next_run_time);
  /** Links a new record into the index and free_. */
  void insert(RecordPtr record);
  /** Unlinks the record from everything and frees it. */
  void erase(Record& record);
  /** Unlinks and frees every record. */
  void erase_all() noexcept;

  sdk::Host& host_;

  // Lock rule: every public method takes mutex_ for its whole duration and calls
  // nothing outside this object while holding it (except host_.now() in hold()). The
  // kernel already serialises calls; the lock makes the store safe regardless.
  mutable std::mutex mutex_;
  KeyTable keys_;  // the map keys of every document held
  std::string encode_buffer_;  // make_record's scratch, kept so that it rarely grows
  std::vector<Record*> picked_;  // acquire_due's and peek_due's scratch: not allocated per pass
  Index index_;    // id -> record; the store owns the records (freed with RecordDelete)
  Order free_;     // records without a lease
  Order leased_;   // records with a lease (live or expired)
  Groups groups_;   // lease groups with at least one member, by id (never 0)
  std::uint32_t next_group_ = 1;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t next_revision_ = 1;  // 0 means "not tracked" in JobRecord
};

}  // namespace apsched::stores

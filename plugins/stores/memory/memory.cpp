#include "memory.h"

#include <apsched/sdk/config.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace apsched::stores {
namespace {

// The store's hooks return a Status of their own; this turns an exception (only
// std::bad_alloc can happen) into one as well, so nothing escapes the noexcept hooks.
template <typename Fn>
sdk::Status protect(Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::exception& e) {
    return {sdk::Code::internal, std::string("memory store: ") + e.what(), {}};
  } catch (...) {
    return {sdk::Code::internal, "memory store: unknown exception", {}};
  }
}

sdk::Status not_found(const std::string& id) {
  return {sdk::Code::not_found, "no job with id '" + id + "' in the memory store", {}};
}

}  // namespace

MemoryStore::MemoryStore(sdk::Host& host, const sdk::Value& config) : host_(host) {
  sdk::ConfigReader reader(config, "memory job store");
  reader.ignore("type");
  reader.finish();
}

MemoryStore::~MemoryStore() { erase_all(); }

sdk::Status MemoryStore::start() noexcept { return sdk::Status::success(); }

void MemoryStore::shutdown() noexcept {}

MemoryStore::Key MemoryStore::make_key(const std::optional<sdk::Timestamp>& next_run_time,
                                       std::uint64_t sequence) noexcept {
  if (next_run_time) return Key{*next_run_time, sequence};
  return Key{0, sequence | kPausedBit};
}

bool MemoryStore::RecordLess::operator()(const Record& a, const Record& b) const noexcept {
  return KeyLess{}(a.key, b.key);
}

bool MemoryStore::RecordLess::operator()(const Record& a, const Key& b) const noexcept { return KeyLess{}(a.key, b); }

bool MemoryStore::RecordLess::operator()(const Key& a, const Record& b) const noexcept { return KeyLess{}(a, b.key); }

void MemoryStore::RecordDelete::operator()(Record* record) const noexcept {
  record->~Record();
  ::operator delete(record);
}

MemoryStore::RecordPtr MemoryStore::make_record(const sdk::JobRecord& job, Key key) {
  std::string& document = encode_buffer_;
  document.clear();
  encode_compact(job.document, keys_, document);
  constexpr std::size_t kLargest = (std::size_t{1} << 31) - 1;
  if (job.id.size() > kLargest || document.size() > kLargest)
    throw std::length_error("job '" + job.id.substr(0, 64) + "' is too large for the memory store (2 GiB at most)");
  static_assert(sizeof(Record) == 64, "a record's header stays 64 bytes (memory per job)");
  void* block = ::operator new(sizeof(Record) + job.id.size() + document.size());
  RecordPtr record(new (block) Record{key, next_revision_, {}, static_cast<std::uint32_t>(job.id.size()),
                                      static_cast<std::uint32_t>(document.size()), 0,
                                      id_hash_of(job.id)});
  ++next_revision_;
  std::memcpy(record->bytes(), job.id.data(), job.id.size());
  std::memcpy(record->bytes() + job.id.size(), document.data(), document.size());
  return record;
}

sdk::JobRecord MemoryStore::to_record(const Record& record, bool without_document) const {
  sdk::JobRecord out;
  out.id = record.id();
  out.next_run_time = next_run_time_of(record);
  if (!without_document) out.document = decode_compact(record.document(), keys_);
  out.revision = record.revision;
  return out;
}

std::optional<sdk::Timestamp> MemoryStore::next_run_time_of(const Record& record) noexcept {
  if (record.key.paused()) return std::nullopt;
  return record.key.time;
}

MemoryStore::Record* MemoryStore::find(std::string_view id) {
  return index_.find(id, id_hash_of(id));
}

const MemoryStore::LeaseGroup* MemoryStore::live_lease(const Record& record, sdk::Timestamp now) const {
  if (record.lease == 0) return nullptr;
  const LeaseGroup& group = groups_.at(record.lease);
  return group.expires > now ? &group : nullptr;
}

MemoryStore::Groups::iterator MemoryStore::open_group(const sdk::Lease& lease) {
  while (next_group_ == 0 || groups_.contains(next_group_)) ++next_group_;  // 0 means "no lease"
  auto group = groups_.try_emplace(next_group_, LeaseGroup{lease.owner, lease.expires, 0, {}, 0}).first;
  ++next_group_;
  return group;
}

void MemoryStore::close_if_empty(Groups::iterator group) {
  if (group->second.members == 0) groups_.erase(group);
}

void MemoryStore::join(Record& record, Groups::iterator group) {
  if (record.lease == group->first) return;
  group->second.keys.push_back(record.key);  // first, so that a failure leaves the record as it was
  if (record.lease != 0) {
    leave_group(record);
  } else {
    free_.erase(free_.iterator_to(record));
    leased_.insert(record);
  }
  record.lease = group->first;
  ++group->second.members;
}

void MemoryStore::leave_group(Record& record) {
  auto group = groups_.find(record.lease);
  record.lease = 0;
  --group->second.members;
  close_if_empty(group);
}

void MemoryStore::clear_lease(Record& record) {
  if (record.lease == 0) return;
  leased_.erase(leased_.iterator_to(record));
  leave_group(record);
  free_.insert(record);
}

const MemoryStore::Key& MemoryStore::first_member(Groups::value_type& group) {
  auto& [id, lease] = group;
  for (;; ++lease.first) {
    const Key& key = lease.keys[lease.first];
    auto member = leased_.find(key, RecordLess{});
    if (member != leased_.end() && member->lease == id) return key;
  }
}

void MemoryStore::rekey(Record& record, const std::optional<sdk::Timestamp>& next_run_time) {
  const Key old_key = record.key;
  const Key new_key = make_key(next_run_time, old_key.sequence());
  if (old_key.paused() == new_key.paused() && old_key.time == new_key.time) return;
  free_.erase(free_.iterator_to(record));  // only unleased records change their key
  record.key = new_key;
  free_.insert(record);
}

void MemoryStore::insert(RecordPtr record) {
  index_.insert(*record);  // first: it may throw, and then `record` is freed
  free_.insert(*record.release());
}

void MemoryStore::erase(Record& record) {
  Order& order = order_of(record);
  order.erase(order.iterator_to(record));
  if (record.lease != 0) leave_group(record);
  index_.erase(record);
  RecordDelete{}(&record);
}

void MemoryStore::erase_all() noexcept {
  free_.clear();
  leased_.clear();
  index_.clear_and_dispose([](Record& record) { RecordDelete{}(&record); });
}

sdk::Status MemoryStore::add(const sdk::JobRecord& job) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    if (find(job.id) != nullptr)
      return {sdk::Code::already_exists, "a job with id '" + job.id + "' already exists in the memory store", {}};
    insert(make_record(job, make_key(job.next_run_time, next_sequence_)));
    ++next_sequence_;
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::update(const sdk::JobRecord& job) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    Record* old = find(job.id);
    if (old == nullptr) return not_found(job.id);
    RecordPtr record = make_record(job, old->key);
    clear_lease(*old);
    // Put the new record in the old one's places: in its order (same key) and in the index.
    free_.replace_node(free_.iterator_to(*old), *record);
    index_.replace(*old, *record);
    RecordDelete{}(old);
    Record& fresh = *record.release();
    rekey(fresh, job.next_run_time);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::remove(const std::string& id) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    Record* record = find(id);
    if (record == nullptr) return not_found(id);
    erase(*record);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::remove_all() noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    groups_.clear();
    erase_all();
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::get(const std::string& id, std::optional<sdk::JobRecord>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.reset();
    if (const Record* record = find(id)) out = to_record(*record);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::count(std::size_t& out) noexcept {
  std::lock_guard lock(mutex_);
  out = index_.size();
  return sdk::Status::success();
}

sdk::Status MemoryStore::list_each(const std::function<void(sdk::JobRecord&)>& visit) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    // Merge the two orders.
    auto f = free_.begin();
    auto l = leased_.begin();
    while (f != free_.end() || l != leased_.end()) {
      sdk::JobRecord record = l == leased_.end() || (f != free_.end() && RecordLess{}(*f, *l)) ? to_record(*f++)
                                                                                             : to_record(*l++);
      visit(record);
    }
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::earliest_run_time(sdk::Timestamp now, const std::string& /*owner*/,
                                           std::optional<sdk::Timestamp>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.reset();
    auto consider = [&](sdk::Timestamp t) {
      if (!out || t < *out) out = t;
    };
    // Unleased records: the first in order.
    if (!free_.empty() && !free_.begin()->key.paused()) consider(free_.begin()->key.time);
    // Leased ones: a group's first member, at its run time once the lease has expired,
    // else at the first instant it can be acquired again.
    for (auto& group : groups_) {
      const Key& first = first_member(group);
      if (first.paused()) continue;
      const sdk::Timestamp expires = group.second.expires;
      consider(expires <= now ? first.time : std::max(first.time, expires));
    }
    return sdk::Status::success();
  });
}

template <typename Take>
void MemoryStore::collect_due(sdk::Timestamp due_at, const Key* from, std::size_t limit, Take take,
                              std::vector<Record*>& picked) {
  auto due = [&](const Record& r) { return !r.key.paused() && r.key.time <= due_at; };
  auto f = from ? free_.upper_bound(*from, RecordLess{}) : free_.begin();
  auto l = from ? leased_.upper_bound(*from, RecordLess{}) : leased_.begin();
  while (picked.size() < limit) {
    bool free_due = f != free_.end() && due(*f);
    bool leased_due = l != leased_.end() && due(*l);
    if (!free_due && !leased_due) break;
    Record* next = free_due && (!leased_due || RecordLess{}(*f, *l)) ? &*f++ : &*l++;
    if (take(next)) picked.push_back(next);
  }
}

sdk::Status MemoryStore::acquire_due(sdk::Timestamp now, const sdk::Lease& lease, std::size_t limit,
                                     const sdk::KnownRevision& known, std::vector<sdk::JobRecord>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.clear();
    std::vector<Record*>& picked = picked_;
    picked.clear();
    collect_due(now, nullptr, limit, [&](const Record* r) {
      const LeaseGroup* held = live_lease(*r, now);
      return held == nullptr || held->owner == lease.owner;
    }, picked);
    if (picked.empty()) return sdk::Status::success();
    // First what can fail (copies, documents, the group), then what cannot: a failure
    // leaves every record as it was.
    out.reserve(picked.size());
    std::size_t leased = 0;
    for (Record* record : picked) {
      const sdk::Held held = known ? known(record->id(), record->revision, next_run_time_of(*record)) : sdk::Held::nothing;
      out.push_back(to_record(*record, held != sdk::Held::nothing));
      out.back().taken = held == sdk::Held::last_run;  // its last run: removed now, not leased and then removed
      if (!out.back().taken) ++leased;
    }
    std::optional<Groups::iterator> group;  // none when every record is taken
    if (leased > 0) {
      group = open_group(lease);
      try {
        (*group)->second.keys.reserve(leased);  // so that join() does not allocate
      } catch (...) {
        close_if_empty(*group);
        throw;
      }
    }
    constexpr std::size_t kPrefetchAhead = 8;
    for (std::size_t i = 0; i < picked.size(); ++i) {
      const std::size_t ahead = i + kPrefetchAhead;
      if (ahead < picked.size() && out[ahead].taken) index_.prefetch(*picked[ahead]);  // its erase is a miss
      if (out[i].taken)
        erase(*picked[i]);
      else
        join(*picked[i], *group);  // in key order, as `keys` must be
    }
    if (group) close_if_empty(*group);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::release(const std::string& owner, const std::vector<sdk::Release>& outcomes) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    for (const sdk::Release& outcome : outcomes) {
      Record* record = find(outcome.id);
      if (record == nullptr || record->lease == 0) continue;
      if (groups_.at(record->lease).owner != owner) continue;
      if (outcome.remove) {
        erase(*record);
      } else {
        clear_lease(*record);
        rekey(*record, outcome.next_run_time);
      }
    }
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::hold(const std::vector<std::string>& ids, const sdk::Lease& lease) noexcept {
  return protect([&]() -> sdk::Status {
    sdk::Timestamp now = host_.now();
    std::lock_guard lock(mutex_);
    auto group = open_group(lease);
    auto finish = [&] {
      // The ids came in any order; `keys` must be ascending.
      std::sort(group->second.keys.begin(), group->second.keys.end(), KeyLess{});
      close_if_empty(group);
    };
    try {
      for (const std::string& id : ids) {
        Record* record = find(id);
        if (record == nullptr) continue;
        if (const LeaseGroup* held = live_lease(*record, now); held && held->owner != lease.owner) continue;
        join(*record, group);
      }
    } catch (...) {
      finish();
      throw;
    }
    finish();
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::peek_due(sdk::Timestamp now, sdk::Timestamp until, std::string_view after, std::size_t limit,
                                  const sdk::KnownRevision& known, std::vector<sdk::JobRecord>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.clear();
    const Record* last = after.empty() ? nullptr : find(after);
    std::vector<Record*>& picked = picked_;
    picked.clear();
    collect_due(until, last ? &last->key : nullptr, limit, [&](const Record* r) {
      if (live_lease(*r, now)) return false;
      return !known || known(r->id(), r->revision, next_run_time_of(*r)) == sdk::Held::nothing;
    }, picked);
    out.reserve(picked.size());
    for (const Record* record : picked) out.push_back(to_record(*record));
    return sdk::Status::success();
  });
}

std::size_t MemoryStore::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

std::size_t MemoryStore::leased_count() const {
  std::lock_guard lock(mutex_);
  return leased_.size();
}

}  // namespace apsched::stores

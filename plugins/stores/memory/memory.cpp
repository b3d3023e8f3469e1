#include "memory.h"

#include <apsched/sdk/config.h>

#include <algorithm>
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

sdk::Status MemoryStore::start() noexcept { return sdk::Status::success(); }

void MemoryStore::shutdown() noexcept {}

MemoryStore::Key MemoryStore::make_key(const std::optional<sdk::Timestamp>& next_run_time,
                                       std::uint64_t sequence) noexcept {
  if (next_run_time) return Key{*next_run_time, sequence};
  return Key{0, sequence | kPausedBit};
}

sdk::JobRecord MemoryStore::to_record(const Order::value_type& node) {
  sdk::JobRecord record;
  record.id = node.second.id;
  if (!node.first.paused()) record.next_run_time = node.first.time;
  record.document = node.second.document;
  return record;
}

void MemoryStore::add_marks(const Key& key, sdk::Timestamp expires) {
  by_expiry_.insert(Mark{expires, key, expires});
  if (!key.paused()) by_wake_.insert(Mark{std::max(key.time, expires), key, expires});
}

void MemoryStore::remove_marks(const Key& key, sdk::Timestamp expires) {
  by_expiry_.erase(Mark{expires, key, expires});
  if (!key.paused()) by_wake_.erase(Mark{std::max(key.time, expires), key, expires});
}

void MemoryStore::set_lease(Slot& slot, const sdk::Lease& lease) {
  const Key key = slot.it->first;
  if (slot.leased) {
    LeaseInfo& info = leases_.at(key.sequence());
    remove_marks(key, info.expires);
    info.owner = lease.owner;
    info.expires = lease.expires;
  } else {
    leases_.insert_or_assign(key.sequence(), LeaseInfo{lease.owner, lease.expires});
    // Moving the node keeps the Entry (and so the index's string_view) where it is.
    slot.it = leased_.insert(free_.extract(slot.it)).position;
    slot.leased = true;
  }
  add_marks(key, lease.expires);
}

void MemoryStore::clear_lease(Slot& slot) {
  if (!slot.leased) return;
  const Key key = slot.it->first;
  auto info = leases_.find(key.sequence());
  remove_marks(key, info->second.expires);
  leases_.erase(info);
  slot.it = free_.insert(leased_.extract(slot.it)).position;
  slot.leased = false;
}

void MemoryStore::rekey(Slot& slot, const std::optional<sdk::Timestamp>& next_run_time) {
  const Key old_key = slot.it->first;
  const Key new_key = make_key(next_run_time, old_key.sequence());
  if (old_key.paused() == new_key.paused() && old_key.time == new_key.time) return;
  const LeaseInfo* info = slot.leased ? &leases_.at(old_key.sequence()) : nullptr;
  if (info) remove_marks(old_key, info->expires);
  Order& order = map_of(slot);
  auto node = order.extract(slot.it);
  node.key() = new_key;
  slot.it = order.insert(std::move(node)).position;
  if (info) add_marks(new_key, info->expires);
}

void MemoryStore::erase(Index::iterator where) {
  Slot slot = where->second;
  const Key key = slot.it->first;
  if (slot.leased) {
    auto info = leases_.find(key.sequence());
    remove_marks(key, info->second.expires);
    leases_.erase(info);
  }
  // The index key views the Entry's id: drop it before the Entry.
  index_.erase(where);
  map_of(slot).erase(slot.it);
}

sdk::Status MemoryStore::add(const sdk::JobRecord& job) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    if (index_.find(job.id) != index_.end())
      return {sdk::Code::already_exists, "a job with id '" + job.id + "' already exists in the memory store", {}};
    auto it = free_.emplace(make_key(job.next_run_time, next_sequence_), Entry{job.id, job.document}).first;
    try {
      index_.emplace(std::string_view(it->second.id), Slot{it, false});
    } catch (...) {
      free_.erase(it);
      throw;
    }
    ++next_sequence_;
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::update(const sdk::JobRecord& job) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    auto where = index_.find(job.id);
    if (where == index_.end()) return not_found(job.id);
    Slot& slot = where->second;
    slot.it->second.document = job.document;
    clear_lease(slot);
    rekey(slot, job.next_run_time);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::remove(const std::string& id) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    auto where = index_.find(id);
    if (where == index_.end()) return not_found(id);
    erase(where);
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::remove_all() noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    index_.clear();
    by_expiry_.clear();
    by_wake_.clear();
    leases_.clear();
    free_.clear();
    leased_.clear();
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::get(const std::string& id, std::optional<sdk::JobRecord>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.reset();
    auto where = index_.find(id);
    if (where != index_.end()) out = to_record(*where->second.it);
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
      sdk::JobRecord record =
          l == leased_.end() || (f != free_.end() && KeyLess{}(f->first, l->first)) ? to_record(*f++) : to_record(*l++);
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
    if (!free_.empty() && !free_.begin()->first.paused()) consider(free_.begin()->first.time);
    // Leased records whose lease has expired count as unleased.
    for (const Mark& mark : by_expiry_) {
      if (mark.expires > now) break;
      if (!mark.key.paused()) consider(mark.key.time);
    }
    // Live-leased records: the first instant one can be acquired again.
    for (const Mark& mark : by_wake_) {
      if (mark.expires <= now) continue;  // expired, counted above
      consider(mark.time);
      break;
    }
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::acquire_due(sdk::Timestamp now, const sdk::Lease& lease, std::size_t limit,
                                     std::vector<sdk::JobRecord>& out) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    out.clear();
    auto due = [&](const Order::value_type& node) { return !node.first.paused() && node.first.time <= now; };
    auto blocked = [&](const Order::value_type& node) {
      const LeaseInfo& info = leases_.at(node.first.sequence());
      return info.expires > now && info.owner != lease.owner;
    };
    // Merge the due prefixes of both orders, skipping records another live lease holds.
    std::vector<Order::iterator> picked;
    auto f = free_.begin();
    auto l = leased_.begin();
    while (picked.size() < limit) {
      while (l != leased_.end() && due(*l) && blocked(*l)) ++l;
      bool free_due = f != free_.end() && due(*f);
      bool leased_due = l != leased_.end() && due(*l);
      if (!free_due && !leased_due) break;
      if (free_due && (!leased_due || KeyLess{}(f->first, l->first)))
        picked.push_back(f++);
      else
        picked.push_back(l++);
    }
    out.reserve(picked.size());
    for (Order::iterator it : picked) {
      out.push_back(to_record(*it));
      set_lease(index_.at(it->second.id), lease);
    }
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::release(const std::string& owner, const std::vector<sdk::Release>& outcomes) noexcept {
  return protect([&]() -> sdk::Status {
    std::lock_guard lock(mutex_);
    for (const sdk::Release& outcome : outcomes) {
      auto where = index_.find(outcome.id);
      if (where == index_.end() || !where->second.leased) continue;
      if (leases_.at(where->second.it->first.sequence()).owner != owner) continue;
      if (outcome.remove) {
        erase(where);
      } else {
        clear_lease(where->second);
        rekey(where->second, outcome.next_run_time);
      }
    }
    return sdk::Status::success();
  });
}

sdk::Status MemoryStore::hold(const std::vector<std::string>& ids, const sdk::Lease& lease) noexcept {
  return protect([&]() -> sdk::Status {
    sdk::Timestamp now = host_.now();
    std::lock_guard lock(mutex_);
    for (const std::string& id : ids) {
      auto where = index_.find(id);
      if (where == index_.end()) continue;
      Slot& slot = where->second;
      if (slot.leased) {
        const LeaseInfo& info = leases_.at(slot.it->first.sequence());
        if (info.expires > now && info.owner != lease.owner) continue;
      }
      set_lease(slot, lease);
    }
    return sdk::Status::success();
  });
}

std::size_t MemoryStore::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

std::size_t MemoryStore::leased_count() const {
  std::lock_guard lock(mutex_);
  return leases_.size();
}

}  // namespace apsched::stores

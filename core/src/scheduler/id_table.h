#pragma once
#include <apsched/sdk/pointer_index.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace apsched::core::detail {

/**
 * Values by id string, each in its own allocation, so that its address stays put until it
 * is erased or taken out; found through an sdk::PointerIndex (taking an entry out leaves a
 * tombstone and visits no other entry).
 * THREADING: none; its owner's lock guards it.
 */
template <typename Value>
class IdTable {
 public:
  struct Entry {
    std::string id;
    std::size_t hash;
    Value value;
  };
  using Taken = std::unique_ptr<Entry>;

  IdTable() = default;
  IdTable(IdTable&& other) noexcept = default;
  IdTable& operator=(IdTable&& other) noexcept {
    if (this != &other) {
      clear();
      index_ = std::move(other.index_);
    }
    return *this;
  }
  ~IdTable() { clear(); }

  std::size_t size() const noexcept { return index_.size(); }

  /** The entry of `id`, or null. */
  Entry* find(std::string_view id) const noexcept { return index_.find(id, hash_of(id)); }

  /** A new entry for `id`, which must not be in the table, with a default Value. */
  Entry& add(std::string_view id) {
    auto entry = std::make_unique<Entry>(Entry{std::string(id), hash_of(id), Value{}});
    index_.insert(*entry);
    return *entry.release();
  }

  /** Takes `entry` (in this table) out. */
  Taken take(Entry& entry) noexcept {
    index_.erase(entry);
    return Taken(&entry);
  }

  void erase(Entry& entry) noexcept { take(entry).reset(); }

  void clear() noexcept {
    index_.clear_and_dispose([](Entry& entry) { delete &entry; });
  }

 private:
  struct Traits {
    static std::string_view key(const Entry& entry) noexcept { return entry.id; }
    static std::size_t hash(const Entry& entry) noexcept { return entry.hash; }
  };
  static std::size_t hash_of(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }

  sdk::PointerIndex<Entry, Traits> index_;
};

}  // namespace apsched::core::detail

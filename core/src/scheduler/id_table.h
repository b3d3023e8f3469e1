#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apsched::core::detail {

/**
 * Values by id string, each in its own allocation, so that its address stays put until it
 * is erased or taken out. The index is an open-addressing table of (hash, entry) slots
 * with linear probing; taking an entry out leaves a tombstone in its slot. Nothing else is
 * visited: std::unordered_map's extract relinks a list through other entries' nodes, and
 * those cache misses were ~15% of a one-shot run's cost on the scheduler thread (the
 * decoded-job cache, 100k jobs).
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
  IdTable(IdTable&& other) noexcept { *this = std::move(other); }
  IdTable& operator=(IdTable&& other) noexcept {
    if (this != &other) {
      clear();
      slots_ = std::exchange(other.slots_, {});
      size_ = std::exchange(other.size_, 0);
      tombstones_ = std::exchange(other.tombstones_, 0);
    }
    return *this;
  }
  ~IdTable() { clear(); }

  std::size_t size() const noexcept { return size_; }

  /** The entry of `id`, or null. */
  Entry* find(std::string_view id) const {
    if (size_ == 0) return nullptr;
    const std::size_t hash = hash_of(id);
    for (std::size_t i = hash & mask(); ; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (slot.entry != nullptr) {
        if (slot.hash == hash && slot.entry->id == id) return slot.entry;
      } else if (!slot.tombstone()) {
        return nullptr;
      }
    }
  }

  /** A new entry for `id`, which must not be in the table, with a default Value. */
  Entry& add(std::string_view id) {
    if ((size_ + tombstones_ + 1) * 2 > slots_.size()) rebuild();
    const std::size_t hash = hash_of(id);
    auto entry = std::make_unique<Entry>(Entry{std::string(id), hash, Value{}});
    Slot& slot = free_slot(hash);
    if (slot.tombstone()) --tombstones_;
    slot = Slot{hash, entry.release()};
    ++size_;
    return *slot.entry;
  }

  /** Takes `entry` (in this table) out, leaving a tombstone. */
  Taken take(Entry& entry) noexcept {
    Slot& slot = slot_of(entry);
    slot = Slot{kTombstone, nullptr};
    --size_;
    ++tombstones_;
    return Taken(&entry);
  }

  void erase(Entry& entry) noexcept { take(entry).reset(); }

  void clear() noexcept {
    for (Slot& slot : slots_) delete slot.entry;
    slots_.clear();
    slots_.shrink_to_fit();
    size_ = 0;
    tombstones_ = 0;
  }

 private:
  // A slot is in use when `entry` is set; else a tombstone when `hash` is kTombstone, else free.
  static constexpr std::size_t kTombstone = 1;
  static constexpr std::size_t kFirstSlots = 16;
  struct Slot {
    std::size_t hash = 0;
    Entry* entry = nullptr;
    bool tombstone() const noexcept { return entry == nullptr && hash == kTombstone; }
  };

  static std::size_t hash_of(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
  std::size_t mask() const noexcept { return slots_.size() - 1; }

  Slot& free_slot(std::size_t hash) noexcept {
    for (std::size_t i = hash & mask(); ; i = (i + 1) & mask())
      if (slots_[i].entry == nullptr) return slots_[i];
  }

  Slot& slot_of(const Entry& entry) noexcept {
    for (std::size_t i = entry.hash & mask(); ; i = (i + 1) & mask())
      if (slots_[i].entry == &entry) return slots_[i];
  }

  /** New slots for the entries (a quarter of them in use), dropping the tombstones. */
  void rebuild() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max(kFirstSlots, std::bit_ceil((size_ + 1) * 4)), Slot{});
    for (const Slot& slot : old)
      if (slot.entry != nullptr) free_slot(slot.hash) = slot;
    tombstones_ = 0;
  }

  std::vector<Slot> slots_;  // a power of two of them, at most half of them used or tombstones
  std::size_t size_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace apsched::core::detail

#pragma once
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace apsched::sdk {

/**
 * A non-owning index of objects by a string key, for plugins and the kernel alike (header
 * only: no ABI of its own). An open-addressing table of pointers with linear probing: a
 * power of two of slots, at most half of them used or tombstones. Erasing an object turns
 * its slot into a tombstone and visits no other object, where a chained hash table relinks
 * a list through its neighbours' nodes (cache misses that were ~10-15% of a one-shot run's
 * cost on the scheduler thread, in the kernel's decoded-job cache and the memory store's
 * id index alike). An object must stay where it is, and keep its key and hash, while indexed.
 *
 * `Traits` has `static std::string_view key(const T&)` and `static std::size_t hash(const T&)`,
 * the hash of the key as the caller computes it for find() (best kept in the object, so that
 * probing and growing compute none).
 *
 * THREADING: none; its owner's lock guards it.
 */
template <typename T, typename Traits>
class PointerIndex {
 public:
  PointerIndex() = default;
  PointerIndex(PointerIndex&& other) noexcept
      : slots_(std::exchange(other.slots_, {})),
        size_(std::exchange(other.size_, 0)),
        tombstones_(std::exchange(other.tombstones_, 0)) {}
  PointerIndex& operator=(PointerIndex&& other) noexcept {
    slots_ = std::exchange(other.slots_, {});
    size_ = std::exchange(other.size_, 0);
    tombstones_ = std::exchange(other.tombstones_, 0);
    return *this;
  }

  std::size_t size() const noexcept { return size_; }

  /** The object whose key is `key` (hashing to `hash`), or null. */
  T* find(std::string_view key, std::size_t hash) const noexcept {
    if (size_ == 0) return nullptr;
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      const std::uintptr_t slot = slots_[i];
      if (slot == kFree) return nullptr;
      if (slot == kTombstone) continue;
      T* item = object(slot);
      if (Traits::hash(*item) == hash && Traits::key(*item) == key) return item;
    }
  }

  /** Indexes `item`, whose key must not be indexed yet; throws std::bad_alloc, then unchanged. */
  void insert(T& item) {
    if ((size_ + tombstones_ + 1) * 2 > slots_.size()) rebuild();
    std::uintptr_t& slot = open_slot(Traits::hash(item));
    if (slot == kTombstone) --tombstones_;
    slot = reinterpret_cast<std::uintptr_t>(&item);
    ++size_;
  }

  /** Removes `item`, which is indexed. */
  void erase(const T& item) noexcept {
    slot_of(item) = kTombstone;
    --size_;
    ++tombstones_;
  }

  /**
   * Asks the CPU to load the slot where `item`'s probe starts, for an erase or find a few
   * steps later: in a large index that slot is a cache miss, nearly all of an erase's cost.
   */
  void prefetch(const T& item) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Traits::hash(item) & mask()]);
  }

  /** Puts `fresh` where `old` (indexed) was; they have the same key and hash. */
  void replace(const T& old, T& fresh) noexcept { slot_of(old) = reinterpret_cast<std::uintptr_t>(&fresh); }

  /**
   * Forgets every object, handing each to `dispose(T&)` first, in no order (an owner frees
   * its objects this way; `dispose` must not use the index).
   */
  template <typename Dispose>
  void clear_and_dispose(Dispose dispose) {
    for (std::uintptr_t slot : slots_)
      if (slot != kFree && slot != kTombstone) dispose(*object(slot));
    slots_ = {};
    size_ = 0;
    tombstones_ = 0;
  }

 private:
  static constexpr std::uintptr_t kFree = 0;
  static constexpr std::uintptr_t kTombstone = 1;  // no object is at address 1
  static constexpr std::size_t kFirstSlots = 16;

  static T* object(std::uintptr_t slot) noexcept { return reinterpret_cast<T*>(slot); }
  std::size_t mask() const noexcept { return slots_.size() - 1; }

  /** The first free slot or tombstone on `hash`'s probe path. */
  std::uintptr_t& open_slot(std::size_t hash) noexcept {
    for (std::size_t i = hash & mask();; i = (i + 1) & mask())
      if (slots_[i] == kFree || slots_[i] == kTombstone) return slots_[i];
  }

  std::uintptr_t& slot_of(const T& item) noexcept {
    const auto wanted = reinterpret_cast<std::uintptr_t>(&item);
    for (std::size_t i = Traits::hash(item) & mask();; i = (i + 1) & mask())
      if (slots_[i] == wanted) return slots_[i];
  }

  /** New slots for the objects (a third to a sixth of them in use), dropping the tombstones. */
  void rebuild() {
    std::vector<std::uintptr_t> old(std::max(kFirstSlots, std::bit_ceil((size_ + 1) * 3)), kFree);
    old.swap(slots_);
    for (std::uintptr_t slot : old)
      if (slot != kFree && slot != kTombstone) open_slot(Traits::hash(*object(slot))) = slot;
    tombstones_ = 0;
  }

  std::vector<std::uintptr_t> slots_;
  std::size_t size_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace apsched::sdk

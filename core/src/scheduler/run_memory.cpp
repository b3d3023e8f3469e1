#include "scheduler/run_memory.h"

#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace apsched::core::detail {
namespace {

using Blocks = std::vector<void*>;

void free_all(Blocks& blocks) noexcept {
  for (void* block : blocks) ::operator delete(block);
  blocks.clear();
}

/** The blocks given back and not taken yet. Locking rule: `mutex` guards `blocks`. */
struct Returned {
  std::mutex mutex;
  Blocks blocks;
};

/**
 * Never destroyed: a scheduler kept in a static object, destroyed at exit after this list
 * would have been, still gives its runs' blocks back (they stay reachable from here).
 */
Returned& returned() {
  static Returned* const list = new Returned;
  return *list;
}

/** A thread's own blocks, taken from the list in one go; freed when the thread ends. */
struct Cache {
  Blocks blocks;
  ~Cache() { free_all(blocks); }
};

Cache& own_cache() {
  thread_local Cache cache;
  return cache;
}

}  // namespace

void* RunMemory::take(std::size_t size) {
  Cache& cache = own_cache();
  if (cache.blocks.empty()) {
    Returned& list = returned();
    std::lock_guard lock(list.mutex);
    std::swap(cache.blocks, list.blocks);
  }
  if (cache.blocks.empty()) return ::operator new(size);
  void* block = cache.blocks.back();
  cache.blocks.pop_back();
  return block;
}

void RunMemory::give(void* block) noexcept {
  Returned& list = returned();
  {
    std::lock_guard lock(list.mutex);
    if (list.blocks.size() < kKept) {
      try {
        list.blocks.push_back(block);
        return;
      } catch (const std::bad_alloc&) {  // no room to keep it: free it
      }
    }
  }
  ::operator delete(block);
}

std::size_t RunMemory::waiting() {
  Returned& list = returned();
  std::lock_guard lock(list.mutex);
  return list.blocks.size();
}

std::size_t RunMemory::cached() { return own_cache().blocks.size(); }

}  // namespace apsched::core::detail

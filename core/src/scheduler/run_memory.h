#pragma once
#include <cstddef>

namespace apsched::core::detail {

/**
 * Memory for run objects (JobRunImpl, one size), passed back from the threads that
 * destroy runs (an executor's workers) to the thread that makes them (the scheduler's
 * pass). glibc returns a block freed on another thread to the arena it came from, under
 * that arena's lock, and the pass's next allocation then sorts it out of the unsorted bin:
 * ~250 instructions of the ~2,150 a one-shot run costs the scheduler thread, the
 * bottleneck of a burst of due jobs. Here a freed block goes onto one shared list (a lock
 * per block), and a thread that makes runs takes the whole list when its own blocks run
 * out (a lock per batch). At most kKept blocks wait on the list (more go back to the heap),
 * so a thread that makes runs holds at most as many, until it takes them or ends.
 * THREADING: both functions may be called from any thread.
 */
class RunMemory {
 public:
  static constexpr std::size_t kKept = 4096;

  /** A block of `size` bytes, the same size at every call (JobRunImpl's): a recycled one, or a new one. */
  static void* take(std::size_t size);
  /** Hands a block from take() back. */
  static void give(void* block) noexcept;

  /** Blocks on the shared list now, and in the calling thread's own (for tests). */
  static std::size_t waiting();
  static std::size_t cached();
};

}  // namespace apsched::core::detail

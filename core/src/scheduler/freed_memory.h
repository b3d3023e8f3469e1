#pragma once
#include <cstddef>

namespace apsched::core::detail {

/**
 * Called after `jobs` jobs were destroyed at once. A job leaves about eight small blocks,
 * which glibc keeps in per-arena fast lists, unmerged, until the next large free in that
 * arena merges all of them, wherever that happens: with 100k jobs stored by start(), it
 * was the first due pass's first record removal (800k blocks, tens of milliseconds before
 * the first run could start). From kManyJobsFreed jobs on, this merges them now, in the
 * thread that freed them, and returns the free pages to the system (malloc_trim), unless
 * the scheduler's options turn it off (`enabled`: SchedulerOptions::release_freed_memory).
 */
void release_freed_memory(std::size_t jobs, bool enabled);

inline constexpr std::size_t kManyJobsFreed = 1024;

}  // namespace apsched::core::detail

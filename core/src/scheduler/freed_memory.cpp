#include "scheduler/freed_memory.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace apsched::core::detail {

void release_freed_memory(std::size_t jobs, bool enabled) {
#ifdef __GLIBC__
  if (enabled && jobs >= kManyJobsFreed) malloc_trim(0);
#else
  (void)jobs;
  (void)enabled;
#endif
}

}  // namespace apsched::core::detail

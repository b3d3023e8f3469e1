#include <apsched/sdk/plugin.h>

#include "memory.h"

APSCHED_STORE_PLUGIN("memory", 1, apsched::stores::MemoryStore)

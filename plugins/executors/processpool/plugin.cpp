#include <apsched/sdk/plugin.h>

#include "process_pool.h"

APSCHED_EXECUTOR_PLUGIN("processpool", 1, apsched::executors::ProcessPoolExecutor)

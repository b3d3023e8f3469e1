#include <apsched/sdk/plugin.h>

#include "threadpool.h"

APSCHED_EXECUTOR_PLUGIN("threadpool", 1, apsched::executors::ThreadPoolExecutor)

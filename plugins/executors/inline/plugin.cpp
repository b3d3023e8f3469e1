#include <apsched/sdk/plugin.h>

#include "inline.h"

APSCHED_EXECUTOR_PLUGIN("inline", 1, apsched::executors::InlineExecutor)

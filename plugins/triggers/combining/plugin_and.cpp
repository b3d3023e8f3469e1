#include <apsched/sdk/plugin.h>

#include "combining_trigger.h"

APSCHED_TRIGGER_PLUGIN("and", 1, apsched::triggers::combining::AndTrigger)

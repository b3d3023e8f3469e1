#include <apsched/sdk/plugin.h>

#include "date.h"

APSCHED_TRIGGER_PLUGIN("date", 1, apsched::triggers::DateTrigger)

#include <apsched/sdk/plugin.h>

#include "interval.h"

APSCHED_TRIGGER_PLUGIN("interval", 1, apsched::triggers::IntervalTrigger)

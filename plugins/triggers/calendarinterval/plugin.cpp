#include <apsched/sdk/plugin.h>

#include "calendar_interval_trigger.h"

APSCHED_TRIGGER_PLUGIN("calendarinterval", 1, apsched::triggers::calendarinterval::CalendarIntervalTrigger)

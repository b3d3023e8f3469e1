#include <apsched/sdk/plugin.h>

#include "apscheduler_cron.h"

APSCHED_TRIGGER_PLUGIN("cron", 1, apsched::triggers::cron::CronTrigger)

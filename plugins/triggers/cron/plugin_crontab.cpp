#include <apsched/sdk/plugin.h>

#include "crontab.h"

APSCHED_TRIGGER_PLUGIN("crontab", 1, apsched::triggers::cron::CrontabTrigger)

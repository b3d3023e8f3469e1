#include <apsched/sdk/plugin.h>

#include "sqlite_store.h"

APSCHED_STORE_PLUGIN("sqlite", 1, apsched::stores::sqlite::SqliteStore)

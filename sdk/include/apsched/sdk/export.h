#pragma once
/** The only place that makes symbols visible. Everything else is built hidden. */
#define APSCHED_VISIBLE __attribute__((visibility("default")))
#define APSCHED_HIDDEN __attribute__((visibility("hidden")))

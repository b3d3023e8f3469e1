#!/usr/bin/env bash
# Builds under ThreadSanitizer (build-tsan/) and runs the concurrency-heavy tests:
# the scheduler core, the executors (process pool and job timeouts included) and stores
# (the memory store and its compact values too),
# the persistence tests, hot-adding job libraries (the job-path watcher's thread
# against the scheduler's and executors'), Value's copy-on-write sharing, and the cron
# plugins' caches of schedules and setups (triggers built and asked from several threads).
# Any ThreadSanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null   # installs packages if missing
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DAPSCHED_SANITIZE=thread >/dev/null
cmake --build build-tsan -j"$(nproc)"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
exec ctest --test-dir build-tsan --output-on-failure -j"$(nproc)" \
  -R "scheduler|threadpool|executor|processpool|inline|timeout|memory store|memory:|compact value|sqlite|persistence|concurren|hot-add|Value|look ahead|running instances|run memory|planned wake-up|schedule cache|setup cache"

#!/usr/bin/env bash
# Sets everything up and runs the scheduler host on configs/default.yaml (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/bin/apsched run -c configs/default.yaml "$@"

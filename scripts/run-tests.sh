#!/usr/bin/env bash
# Sets everything up and runs every test; the output ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec ctest --test-dir build --output-on-failure -j"$(nproc)"

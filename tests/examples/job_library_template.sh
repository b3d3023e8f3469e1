#!/usr/bin/env bash
# Builds the README's job library out of tree, against sdk/ alone, and has the host
# resolve and run it. Usage: job_library_template.sh <apsched source dir> <apsched binary> <work dir>
set -euo pipefail
src=$1 apsched=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake -S "$src/examples/job-library-template" -B "$work/build" -DAPSCHED_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/build" >/dev/null
cat > "$work/config.yaml" <<YAML
scheduler: {job_path: [build]}
executors: {default: {type: inline}}
jobs:
  - {id: hello, func: "greetings:greet", args: ["world"], trigger: {type: interval, seconds: 1}}
YAML
"$apsched" check -c "$work/config.yaml"
timeout -s INT 4 "$apsched" run -c "$work/config.yaml" > "$work/out.log" 2>&1 || true
grep -q "hello, world" "$work/out.log" || { cat "$work/out.log"; exit 1; }
echo "job library built out of tree, found and run"

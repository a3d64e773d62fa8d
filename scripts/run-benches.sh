#!/usr/bin/env bash
# Runs every bench_* program of a release build; each prints RESULT lines. Never gates CI.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
for bin in $(find "$build" -maxdepth 3 -type f -name 'bench_*' -perm -u+x | sort); do
    echo "bench: $(basename "$bin")"
    "$bin"
done

#!/usr/bin/env bash
# Runs every libFuzzer binary of a -DSF_FUZZ=ON build for N seconds on a scratch copy of its
# committed corpus; new crashes land in build-fuzz/crashes/. Usage: run-fuzzers.sh BUILD SECONDS
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
cd "$(dirname "$0")/.."
mkdir -p "$build/crashes"
status=0
for bin in $(find "$build" -maxdepth 4 -type f -name 'fuzz_*' ! -name '*_replay' -perm -u+x | sort); do
    name=$(basename "$bin")
    name=${name#fuzz_}
    work="$build/corpus-work/$name"
    mkdir -p "$work"
    [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/"
    dict=()
    [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="fuzz/dict/$name.dict")
    echo "fuzz: $name for ${seconds}s"
    if ! "$bin" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$name-" "$work" 2>"$build/fuzz-$name.log"; then
        echo "fuzz: $name FAILED, see $build/fuzz-$name.log" >&2
        status=1
    fi
    grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$build/fuzz-$name.log" | tail -1
done
exit $status

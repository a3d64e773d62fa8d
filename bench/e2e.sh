#!/usr/bin/env bash
# End to end on loopback: the SLS emulator serves generated logs (lz4), slsfwd delivers them to
# the HEC receiver (count-only, plain HTTP). For each data set, gzip on and off, one line:
#   RESULT bench=e2e data=<nginx|actiontrail> gzip=<on|off> events=<n> raw_mb=<x> cpu_s=<y>
#          raw_mb_per_cpu_s=<z> peak_rss_mb=<w> wall_s=<s> events_per_s=<e> raw_mb_per_s=<r>
#          floor_raw_mb_per_s=<f> floor_ratio=<z/f>
# cpu_s and peak RSS are slsfwd's own (/proc/<pid>/stat and VmHWM), read just before it stops.
# The floor (bench/floor, build/bench/bench_floor) then pulls the same bodies from the same
# emulator and does the least work any forwarder must (lz4, decode, HEC JSON, gzip when on) on
# one core: floor_ratio is slsfwd's raw MB per CPU-second over the floor's raw MB per second.
# Usage: bench/e2e.sh [BUILD_DIR] [NGINX_LOGS] [ACTIONTRAIL_LOGS]
# SHARDS=N (default 4) spreads the same logs over N shards (printed as shards=N).
# E2E_PERF_DIR=DIR also records slsfwd with `perf record -g` into DIR/perf-<data>-gzip-<on|off>.data.
# bench: bench/e2e.sh $BUILD 1000000 200000
# bench-smoke: bench/e2e.sh $BUILD 20000 5000
set -euo pipefail
build=${1:-build}
nginx_logs=${2:-1000000}
shards=${SHARDS:-4}
actiontrail_logs=${3:-200000}
. "$(dirname "$0")/lib.sh"
bench_init

run_one() { # run_one KIND LOGS GZIP
    local kind=$1 logs=$2 gzip=$3
    bench_hec_setup "$kind" "$logs" "$shards" "$gzip"
    local start end
    start=$(date +%s.%N)
    bench_slsfwd
    local perf= accepted=0
    while [ "$accepted" -lt "$logs" ]; do
        # perf -p follows only the threads that exist: attach once the first events arrived.
        if [ -n "${E2E_PERF_DIR:-}" ] && [ -z "$perf" ] && [ "$accepted" -gt 0 ]; then
            perf record -q -g -p "$fwd" -o "$E2E_PERF_DIR/perf-$kind-gzip-$gzip.data" 2>/dev/null &
            perf=$!
        fi
        sleep 0.05
        accepted=$(bench_accepted)
    done
    end=$(date +%s.%N)
    local cpu rss
    cpu=$(bench_cpu_s "$fwd")
    rss=$(bench_rss_kb "$fwd")
    if [ -n "$perf" ]; then
        kill -INT "$perf"
        wait "$perf" || true
    fi
    bench_stop "$fwd"
    local floor=0
    if [ -x "$build/bench/bench_floor" ]; then
        floor=$("$build/bench/bench_floor" --endpoint "http://127.0.0.1:$emu_port" --project demo \
            --logstore "$kind" --data "$kind" --gzip "$gzip" --passes 5 |
            sed -n 's/.* raw_mb_per_s=\([0-9.]*\).*/\1/p')
    fi
    bench_stop "$emu" "$hec"
    awk -v k="$kind" -v g="$gzip" -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" \
        -v cpu="$cpu" -v rss="$rss" -v sh="$shards" -v floor="${floor:-0}" 'BEGIN { w = e - s; mb = raw / 1e6;
        printf "RESULT bench=e2e data=%s gzip=%s events=%d raw_mb=%.1f cpu_s=%.2f raw_mb_per_cpu_s=%.1f peak_rss_mb=%.1f wall_s=%.2f events_per_s=%.0f raw_mb_per_s=%.1f shards=%d",
               k, g, n, mb, cpu, mb / cpu, rss / 1024, w, n / w, mb / w, sh;
        if (floor > 0) printf " floor_raw_mb_per_s=%.1f floor_ratio=%.2f", floor, mb / cpu / floor;
        printf "\n" }'
}

for gzip in off on; do
    run_one nginx "$nginx_logs" "$gzip"
    run_one actiontrail "$actiontrail_logs" "$gzip"
done

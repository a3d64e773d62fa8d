#!/usr/bin/env bash
# Efficiency against shard count (issue 13 §2): the same logs spread over N shards of one
# logstore (SLS emulator, lz4), delivered by slsfwd to the HEC receiver (count-only). For each
# data set and gzip setting the shard counts run back to back, so the machine's load drifts
# little between the figures compared. One line per run:
#   RESULT bench=shards shards=N data=<nginx|actiontrail> gzip=<on|off> raw_mb_per_cpu_s=<z>
#          ratio=<z / z at the first count> cpu_s= raw_mb= wall_s= peak_rss_mb= pulls=
#          hec_requests= pulls_per_mb=
# cpu_s and peak RSS are slsfwd's own (/proc/<pid>/stat and VmHWM), read just before it stops;
# pulls are the PullLogs the emulator answered (data and empty), hec_requests the event
# requests the receiver took. The target: ratio >= 0.85 at 64 and 256 shards.
# Usage: bench/shards.sh [BUILD_DIR] [NGINX_LOGS] [ACTIONTRAIL_LOGS] [SHARD COUNTS...]
#   (defaults: 1000000 200000 4 64 256); env DATA="nginx actiontrail", GZIP="off on" pick the
#   cases, REPEAT=N runs each N times (one line each).
# bench: bench/shards.sh $BUILD 1000000 200000 4 64 256
# bench-smoke: bench/shards.sh $BUILD 20000 5000 4 16
set -euo pipefail
build=${1:-build}
nginx_logs=${2:-1000000}
actiontrail_logs=${3:-200000}
shift 3 2>/dev/null || shift $#
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(4 64 256)
. "$(dirname "$0")/lib.sh"
bench_init

run_one() { # run_one KIND LOGS GZIP SHARDS: prints "<raw_mb_per_cpu_s> <rest of the line>"
    local kind=$1 logs=$2 gzip=$3 shards=$4
    bench_hec_setup "$kind" "$logs" "$shards" "$gzip" ||
        { echo "shards: the emulator refused: $(head -c 300 "$dir/emu.err")" >&2 && return 1; }
    local start end accepted=0
    start=$(date +%s.%N)
    bench_slsfwd
    while [ "$accepted" -lt "$logs" ]; do
        kill -0 "$fwd" 2>/dev/null || { cat "$dir/slsfwd.log" >&2 && return 1; }
        sleep 0.05
        accepted=$(bench_accepted)
    done
    end=$(date +%s.%N)
    local cpu rss pulls requests
    cpu=$(bench_cpu_s "$fwd")
    rss=$(bench_rss_kb "$fwd")
    pulls=$(curl -s "http://127.0.0.1:$emu_port/_emulator/stats" | jq '.requests.PullLogs // 0')
    requests=$(curl -s "http://127.0.0.1:$hec_port/_receiver/stats" | jq '.requests.event.total')
    bench_stop "$fwd"
    bench_stop "$emu" "$hec"
    awk -v raw="$raw_bytes" -v s="$start" -v e="$end" -v cpu="$cpu" -v rss="$rss" -v p="$pulls" \
        -v r="$requests" 'BEGIN { mb = raw / 1e6;
        printf "%.1f cpu_s=%.2f raw_mb=%.1f wall_s=%.2f peak_rss_mb=%.1f pulls=%d hec_requests=%d pulls_per_mb=%.2f\n",
               mb / cpu, cpu, mb, e - s, rss / 1024, p, r, p / mb }'
}

for kind in ${DATA:-nginx actiontrail}; do
    logs=$nginx_logs
    [ "$kind" = actiontrail ] && logs=$actiontrail_logs
    for gzip in ${GZIP:-off on}; do
        for _ in $(seq "${REPEAT:-1}"); do
            base=
            for n in "${counts[@]}"; do
                read -r rate rest < <(run_one "$kind" "$logs" "$gzip" "$n")
                [ -n "$base" ] || base=$rate
                awk -v n="$n" -v k="$kind" -v g="$gzip" -v z="$rate" -v b="$base" -v rest="$rest" \
                    'BEGIN { printf "RESULT bench=shards shards=%d data=%s gzip=%s raw_mb_per_cpu_s=%.1f ratio=%.2f %s\n",
                             n, k, g, z, z / b, rest }'
            done
        done
    done
done

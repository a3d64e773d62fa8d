#!/usr/bin/env bash
# End to end on loopback: the SLS emulator serves generated logs (lz4), slsfwd delivers them to
# the HEC receiver (count-only, plain HTTP). For each data set, gzip on and off, one line:
#   RESULT bench=e2e data=<nginx|actiontrail> gzip=<on|off> events=<n> raw_mb=<x> cpu_s=<y>
#          raw_mb_per_cpu_s=<z> peak_rss_mb=<w> wall_s=<s> events_per_s=<e> raw_mb_per_s=<r>
#          steady_raw_mb_per_cpu_s=<t> floor_raw_mb_per_s=<f> floor_ratio=<z/f>
#          steady_floor_ratio=<t/f> max_floor_ratio=<m>
# cpu_s and peak RSS are slsfwd's own (/proc/<pid>/stat and VmHWM), read just before it stops.
# steady_* leaves out the start and the drain, as the floor leaves out its warm-up pass:
# slsfwd's CPU (schedstat, ns) between the moments the receiver had 20 % and 80 % of the
# events, over the raw bytes that went through in between: the mean of what the emulator served
# and what the receiver accepted in that time (equal when the pipeline holds as much at both
# moments; steady_served_mb and steady_accepted_mb show both). 0 when the run is too short
# to have such a window, or the two differ by more than half their mean.
# The floor (bench/floor, build/bench/bench_floor) then pulls the same bodies from the same
# emulator and does the least work any forwarder must (lz4, decode, HEC JSON, gzip when on) on
# one core: floor_ratio is slsfwd's raw MB per CPU-second over the floor's raw MB per second.
# max_floor_ratio is the best floor_ratio of a forwarder that does the floor's work and only
# writes its output to a TCP socket on loopback (bench_floor's send passes).
# Usage: bench/e2e.sh [BUILD_DIR] [NGINX_LOGS] [ACTIONTRAIL_LOGS]
# SHARDS=N (default 4) spreads the same logs over N shards (printed as shards=N).
# REPEAT=N runs the four cases N times in turn, then prints per case the median figures and the
# spread of floor_ratio: RESULT bench=e2e-median data= gzip= runs= floor_ratio= floor_ratio_min=
# floor_ratio_max= ...
# E2E_PERF_DIR=DIR also records slsfwd with `perf record -g` into DIR/perf-<data>-gzip-<on|off>.data.
# bench: bench/e2e.sh $BUILD 1000000 200000
# bench-smoke: bench/e2e.sh $BUILD 20000 5000
set -euo pipefail
build=${1:-build}
nginx_logs=${2:-1000000}
shards=${SHARDS:-4}
repeat=${REPEAT:-1}
actiontrail_logs=${3:-200000}
. "$(dirname "$0")/lib.sh"
bench_init

run_one() { # run_one KIND LOGS GZIP
    local kind=$1 logs=$2 gzip=$3
    bench_hec_setup "$kind" "$logs" "$shards" "$gzip"
    local start end
    start=$(date +%s.%N)
    bench_slsfwd
    local perf= accepted=0 a_ns= a_served= a_accepted= b_ns= b_served= b_accepted=
    while [ "$accepted" -lt "$logs" ]; do
        if [ -z "$a_ns" ] && [ "$accepted" -ge $((logs / 5)) ]; then
            a_ns=$(bench_cpu_ns "$fwd") a_served=$(bench_served_raw_bytes) a_accepted=$accepted
        elif [ -n "$a_ns" ] && [ -z "$b_ns" ] && [ "$accepted" -ge $((logs * 4 / 5)) ]; then
            b_ns=$(bench_cpu_ns "$fwd") b_served=$(bench_served_raw_bytes) b_accepted=$accepted
        fi
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
    local floor=0 max_ratio=0 line
    if [ -x "$build/bench/bench_floor" ]; then
        line=$("$build/bench/bench_floor" --endpoint "http://127.0.0.1:$emu_port" --project demo \
            --logstore "$kind" --data "$kind" --gzip "$gzip" --passes 5)
        floor=$(sed -n 's/.* raw_mb_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
        max_ratio=$(sed -n 's/.* max_floor_ratio=\([0-9.]*\).*/\1/p' <<<"$line")
    fi
    bench_stop "$emu" "$hec"
    awk -v k="$kind" -v g="$gzip" -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" \
        -v cpu="$cpu" -v rss="$rss" -v sh="$shards" -v floor="${floor:-0}" \
        -v a_ns="${a_ns:-0}" -v a_served="${a_served:-0}" -v a_accepted="${a_accepted:-0}" \
        -v b_ns="${b_ns:-0}" -v b_served="${b_served:-0}" -v b_accepted="${b_accepted:-0}" \
        -v max_ratio="${max_ratio:-0}" 'BEGIN { w = e - s; mb = raw / 1e6;
        steady_s = (b_ns - a_ns) / 1e9;
        served_mb = (b_served - a_served) / 1e6;
        accepted_mb = mb * (b_accepted - a_accepted) / n;
        through_mb = (served_mb + accepted_mb) / 2;
        # No window worth the name: the two moments fell in one poll, or the pipeline held a
        # very different amount at each (small runs: everything served before 20 % arrived).
        steady = steady_s > 0 && served_mb > 0 && accepted_mb > 0 &&
                 (served_mb - accepted_mb) ^ 2 <= (through_mb / 2) ^ 2 ? through_mb / steady_s : 0;
        printf "RESULT bench=e2e data=%s gzip=%s events=%d raw_mb=%.1f cpu_s=%.2f raw_mb_per_cpu_s=%.1f peak_rss_mb=%.1f wall_s=%.2f events_per_s=%.0f raw_mb_per_s=%.1f shards=%d steady_raw_mb_per_cpu_s=%.1f steady_served_mb=%.1f steady_accepted_mb=%.1f",
               k, g, n, mb, cpu, mb / cpu, rss / 1024, w, n / w, mb / w, sh, steady, served_mb, accepted_mb;
        if (floor > 0) printf " floor_raw_mb_per_s=%.1f floor_ratio=%.2f steady_floor_ratio=%.2f max_floor_ratio=%.2f",
                              floor, mb / cpu / floor, steady / floor, max_ratio;
        printf "\n" }'
}

for _ in $(seq "$repeat"); do
    for gzip in off on; do
        run_one nginx "$nginx_logs" "$gzip"
        run_one actiontrail "$actiontrail_logs" "$gzip"
    done
done | tee "$dir/results"
[ "$repeat" -gt 1 ] || exit 0
# One ratio from one run moves by ±10 % on this shared machine: with REPEAT, the spread and the
# median of each case.
for case in "nginx off" "actiontrail off" "nginx on" "actiontrail on"; do
    set -- $case
    grep " data=$1 gzip=$2 " "$dir/results" | awk -v k="$1" -v g="$2" '
        function field(name,   i) { for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return 0 }
        function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t } return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        { n++; r[n] = field("floor_ratio"); st[n] = field("steady_floor_ratio"); mx[n] = field("max_floor_ratio"); c[n] = field("raw_mb_per_cpu_s") }
        END { ratio = median(r, n) # sorts r: r[1] and r[n] are then the min and the max
              printf "RESULT bench=e2e-median data=%s gzip=%s runs=%d raw_mb_per_cpu_s=%.1f floor_ratio=%.2f floor_ratio_min=%.2f floor_ratio_max=%.2f steady_floor_ratio=%.2f max_floor_ratio=%.2f\n",
                    k, g, n, median(c, n), ratio, r[1], r[n], median(st, n), median(mx, n) }'
done

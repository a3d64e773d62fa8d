#!/usr/bin/env bash
# Peak RSS of slsfwd against limits.max_buffered_bytes. The SLS emulator serves generated nginx
# logs on N shards; slsfwd delivers them to the HEC receiver (count-only), once with HEC up
# (until every log is accepted) and once with HEC answering 503 to everything (for
# DOWN_S seconds: the budget fills with undeliverable batches and stays full). One line per run:
#   RESULT bench=memory shards=N sink=<up|down> peak_rss_mb=<x> budget_mb=<y> charged_peak_mb=<z>
# peak_rss_mb is slsfwd's VmHWM read just before it stops; charged_peak_mb is the highest sum
# of slsfwd_memory_charged_bytes seen on /metrics (sampled every 0.2 s); cpu_s and wall_s are
# slsfwd's CPU time and the run's duration (for sink=up: until every log was accepted).
# Usage: bench/memory.sh [BUILD_DIR] [LOGS] [SHARD COUNTS...]
#   env BUDGET=<bytes or size> sets limits.max_buffered_bytes (default: slsfwd's default);
#   env DOWN_S (default 20).
# The emulator caps shards per logstore; a count above its cap is reported and skipped.
# bench: DOWN_S=10 bench/memory.sh $BUILD 500000 4 64 256
# bench-smoke: DOWN_S=2 bench/memory.sh $BUILD 20000 4
set -euo pipefail
build=${1:-build}
logs=${2:-2000000}
shift 2 2>/dev/null || shift $#
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(4 64 256)
down_s=${DOWN_S:-20}
. "$(dirname "$0")/lib.sh"
bench_init

charged_sum() { # charged_sum PORT: sum of slsfwd_memory_charged_bytes (0 before it exists)
    curl -s --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null |
        awk '/^slsfwd_memory_charged_bytes[{ ]/ { s += $NF } END { printf "%.0f\n", s + 0 }' || true
}

run_one() { # run_one SHARDS up|down
    local shards=$1 sink=$2
    if ! bench_emulator nginx "$shards" --generate "nginx:$logs"; then
        echo "SKIP bench=memory shards=$shards: the emulator refused it: $(head -c 300 "$dir/emu.err")"
        return 2
    fi
    local fault=()
    [ "$sink" = down ] && fault=(--fault type=503)
    bench_receiver "${fault[@]}"
    local metrics_port=$((20000 + RANDOM % 20000))
    cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml nginx)
$(bench_hec_yaml)
metrics:
  listen: 127.0.0.1:$metrics_port
YAML
    if [ -n "${BUDGET:-}" ]; then
        printf 'limits:\n  max_buffered_bytes: %s\n' "$BUDGET" >>"$dir/slsfwd.yaml"
    fi
    if [ "$sink" = down ]; then
        # Nothing can be delivered: stop at once instead of draining for the default 30 s.
        SLSFWD_LIMITS_DRAIN_TIMEOUT=1s bench_slsfwd
    else
        bench_slsfwd
    fi
    local peak=0 c start t0
    start=$(date +%s)
    t0=$(date +%s.%N)
    while kill -0 "$fwd" 2>/dev/null; do
        c=$(charged_sum "$metrics_port")
        if [ "${c:-0}" -gt "$peak" ]; then peak=$c; fi
        if [ "$sink" = up ]; then
            local accepted
            accepted=$(bench_accepted || true)
            if [ "${accepted:-0}" -ge "$logs" ]; then break; fi
        else
            if [ $(($(date +%s) - start)) -ge "$down_s" ]; then break; fi
        fi
        sleep 0.2
    done
    local rss budget cpu wall
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    rss=$(bench_rss_kb "$fwd")
    cpu=$(awk -v t="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$fwd/stat")
    budget=$(curl -s --max-time 2 "http://127.0.0.1:$metrics_port/metrics" |
        awk '/^slsfwd_memory_budget_bytes / { print $2 }' || true)
    bench_stop "$fwd"
    bench_stop "$emu" "$hec"
    awk -v n="$shards" -v s="$sink" -v rss="$rss" -v b="${budget:-0}" -v c="$peak" \
        -v cpu="$cpu" -v wall="$wall" 'BEGIN {
        printf "RESULT bench=memory shards=%d sink=%s peak_rss_mb=%.1f budget_mb=%.1f charged_peak_mb=%.1f cpu_s=%s wall_s=%s\n",
               n, s, rss / 1024, b / 1048576, c / 1048576, cpu, wall }'
}

for n in "${counts[@]}"; do
    run_one "$n" up || continue
    run_one "$n" down
done

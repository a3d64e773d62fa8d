#!/usr/bin/env bash
# What idle shards cost: slsfwd consumes a logstore of SHARDS empty shards from the SLS emulator
# (HEC receiver as the sink). Once every shard is started and the start-up has settled, slsfwd's
# own CPU (utime + stime from /proc/<pid>/stat) is read over SECONDS, with the requests it made
# meanwhile (the emulator's counters). The emulator's CPU is printed apart: it is not slsfwd's.
#   RESULT bench=idle shards=256 cpu_pct=<slsfwd % of one core> seconds=60 pulls_per_s=<n>
#          heartbeats_per_s=<n> commits=<n> emulator_cpu_pct=<n> fetch_interval=<dur>
#          idle_fetch_interval=<dur>
# Usage: bench/idle.sh [BUILD_DIR] [SHARDS] [SECONDS] [FETCH_INTERVAL] [IDLE_FETCH_INTERVAL]
#   sls.fetch_interval and sls.idle_fetch_interval to configure (default: slsfwd's defaults);
#   "1s 1s" is the pacing before issue 13 (every caught-up shard pulled every second).
# bench: bench/idle.sh $BUILD 256 30
# bench-smoke: bench/idle.sh $BUILD 8 3
set -euo pipefail
build=${1:-build}
shards=${2:-256}
seconds=${3:-60}
fetch_interval=${4:-}
idle_fetch_interval=${5:-}
settle_s=5
. "$(dirname "$0")/lib.sh"
bench_init

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

bench_emulator idle "$shards"
bench_receiver
stats() { curl -s "http://127.0.0.1:$emu_port/_emulator/stats"; }

cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml idle)
$([ -n "$fetch_interval" ] && echo "  fetch_interval: $fetch_interval")
$([ -n "$idle_fetch_interval" ] && echo "  idle_fetch_interval: $idle_fetch_interval")
$(bench_hec_yaml)
metrics:
  listen: ""
YAML
bench_slsfwd

# Settled: every shard started and its first checkpoint committed (the start cursor, once, a
# checkpoint_interval after the start), then a few seconds more.
commits_so_far() { stats | jq '.requests.ConsumerGroupUpdateCheckPoint // 0'; }
until [ "$(grep -c 'msg="shard started"' "$dir/slsfwd.log" 2>/dev/null)" -ge "$shards" ] &&
    [ "$(commits_so_far)" -ge "$shards" ]; do
    kill -0 "$fwd" 2>/dev/null || { cat "$dir/slsfwd.log" >&2; exit 1; }
    sleep 0.5
done
sleep "$settle_s"
echo "$fwd" >"$dir/slsfwd.pid"
[ -n "${IDLE_PID_FILE:-}" ] && echo "$fwd" >"$IDLE_PID_FILE"

ticks=$(getconf CLK_TCK)
before=$(stats)
fwd0=$(cpu_ticks "$fwd")
emu0=$(cpu_ticks "$emu")
t0=$(date +%s.%N)
sleep "$seconds"
fwd1=$(cpu_ticks "$fwd")
emu1=$(cpu_ticks "$emu")
t1=$(date +%s.%N)
after=$(stats)

count() { # count JSON API: requests of that API so far
    jq --arg a "$2" '.requests[$a] // 0' <<<"$1"
}
pulls=$(($(count "$after" PullLogs) - $(count "$before" PullLogs)))
beats=$(($(count "$after" ConsumerGroupHeartBeat) - $(count "$before" ConsumerGroupHeartBeat)))
commits=$(($(count "$after" ConsumerGroupUpdateCheckPoint) - $(count "$before" ConsumerGroupUpdateCheckPoint)))
shown_interval=${fetch_interval:-default}
shown_idle=${idle_fetch_interval:-default}
awk -v s="$shards" -v f0="$fwd0" -v f1="$fwd1" -v e0="$emu0" -v e1="$emu1" -v t0="$t0" \
    -v t1="$t1" -v tk="$ticks" -v p="$pulls" -v b="$beats" -v c="$commits" \
    -v fi="$shown_interval" -v ii="$shown_idle" 'BEGIN { w = t1 - t0;
    printf "RESULT bench=idle shards=%d cpu_pct=%.2f seconds=%.0f pulls_per_s=%.1f heartbeats_per_s=%.2f commits=%d emulator_cpu_pct=%.2f fetch_interval=%s idle_fetch_interval=%s\n",
           s, (f1 - f0) / tk / w * 100, w, p / w, b / w, c, (e1 - e0) / tk / w * 100, fi, ii }'
bench_stop "$fwd"

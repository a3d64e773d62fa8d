#!/usr/bin/env bash
# Many processes in one consumer group (issue 13 §3): the SLS emulator holds one logstore with
# many shards and receives new nginx logs every second (control-plane generate) for the whole
# run; N `slsfwd run` processes (consumer names p0..pN-1) in group `procs` write them to one
# NDJSON file each (file sink, on /dev/shm when there is one). Measured from the emulator's
# consumer view (/_emulator/stats):
#   - spread: once every process holds shards, no shard is unowned or in transfer and every
#     owner has been told (its log says "shard granted"; the emulator names an owner at once,
#     the owner learns it at its next heartbeat), the fewest and most shards one process
#     holds (settle_s: from the start until then);
#   - re-ownership: once the group has caught up (the files hold all but at most one second of
#     the logs generated so far), half a checkpoint_interval after p0's next checkpoint commit
#     (the average case for duplicates), p0 is killed with -9; reown_s runs from the kill to
#     the first poll (every 0.1 s) at which every shard has a live owner again that has been
#     told so (the dead consumer's shards are freed `group_timeout` after its last heartbeat;
#     each new owner learns of them at its next heartbeat);
#   - duplicates: data arrives for `--after` more seconds, then stops; once every checkpoint is
#     at its shard's end the survivors stop (SIGTERM) and tests/integration/tools/seqcheck
#     counts the generator's `seq` over every file. Every log must arrive (exit 1 otherwise);
#     duplicates are the logs written twice: what p0 wrote after its last checkpoint, read
#     again by the new owners (about rate / processes * checkpoint_interval / 2), plus any
#     from the start-up hand-offs.
# One line:
#   RESULT bench=procs processes=N shards=N min_shards= max_shards= reown_s= duplicates= logs=
#          heartbeat_s= group_timeout_s= checkpoint_s= settle_s= peak_rss_mb=
# peak_rss_mb is the largest VmHWM among the processes (read before they stop).
# --shards asks for S shards; an emulator that allows fewer says so ("wants 1..M") and the run
# uses M, noted on stderr (the RESULT line carries the count used).
#
# PROCS_KEEP=1 keeps the run's directory (files, logs) for a look afterwards.
# Usage: bench/procs.sh [BUILD_DIR] [--processes N] [--shards S] [--logs N] [--rate N]
#                       [--after S] [--heartbeat S] [--group-timeout S] [--checkpoint S]
#   --logs: backlog at the start (default 100000); --rate: logs generated per second (5000);
#   --after: seconds of data after re-ownership (5); --heartbeat/--group-timeout/--checkpoint:
#   sls.heartbeat_interval, sls.group_timeout, sls.checkpoint_interval in seconds (default:
#   slsfwd's defaults, 20, 60 and 10; `make bench` runs a short setting, see bench/RESULTS.md).
# bench: bench/procs.sh $BUILD --heartbeat 2 --group-timeout 10 --checkpoint 10
# bench-smoke: bench/procs.sh $BUILD --processes 3 --shards 12 --logs 3000 --rate 500 --after 1 --heartbeat 1 --group-timeout 2 --checkpoint 1
set -euo pipefail
. "$(dirname "$0")/../tests/support/tool.sh" # tool_port
build=build
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
    build=$1
    shift
fi
processes=8 shards=256 backlog=100000 rate=5000 after_s=5 heartbeat_s=20 group_timeout_s=60 checkpoint_s=10
usage="usage: $0 [BUILD_DIR] [--processes N] [--shards S] [--logs N] [--rate N] [--after S] [--heartbeat S] [--group-timeout S] [--checkpoint S]"
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "$usage" >&2 && exit 2; }
    case $1 in
    --processes) processes=$2 ;;
    --shards) shards=$2 ;;
    --logs) backlog=$2 ;;
    --rate) rate=$2 ;;
    --after) after_s=$2 ;;
    --heartbeat) heartbeat_s=$2 ;;
    --group-timeout) group_timeout_s=$2 ;;
    --checkpoint) checkpoint_s=$2 ;;
    *) echo "$usage" >&2 && exit 2 ;;
    esac
    shift 2
done
for v in processes shards backlog rate after_s heartbeat_s group_timeout_s checkpoint_s; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "procs: ${v%_s} must be a whole number" >&2 && exit 2; }
done
[ "$processes" -ge 2 ] || { echo "procs: --processes must be at least 2 (one is killed)" >&2 && exit 2; }
for tool in slsfwd sls-emulator seqcheck; do
    [ -x "$build/$tool" ] || { echo "procs: $build/$tool missing (build the tree first)" >&2 && exit 2; }
done
dir=$(mktemp -d /dev/shm/sf-procs.XXXXXX 2>/dev/null || mktemp -d /tmp/sf-procs.XXXXXX)
pids=()
gen_pid=""
trap 'for p in "${pids[@]}" $gen_pid; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null; [ -n "${PROCS_KEEP:-}" ] || rm -rf "$dir"' EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
    echo "procs: $*" >&2
    exit 1
}

# ---- the emulator: one logstore, as many shards as asked for or as it allows ----
start_emulator() {
    "$build/sls-emulator" --listen 127.0.0.1:0 --no-auth --quiet --project demo \
        --logstore nginx --shards "$shards" --generate "nginx:$backlog" >"$dir/emu.out" 2>"$dir/emu.log" &
    emu_pid=$!
    emu_port=$(tool_port sls-emulator "$dir/emu.out" "$emu_pid" 3000) || return 1
    pids+=("$emu_pid")
}
if ! start_emulator; then
    allowed=$(sed -n 's/.*--shards wants 1\.\.\([0-9]*\).*/\1/p' "$dir/emu.log")
    [ -n "$allowed" ] && [ "$allowed" -lt "$shards" ] || fail "the emulator did not start: $(cat "$dir/emu.log")"
    echo "procs: the emulator allows at most $allowed shards per logstore; running with $allowed instead of $shards" >&2
    shards=$allowed
    start_emulator || fail "the emulator did not start: $(cat "$dir/emu.log")"
fi
emu=http://127.0.0.1:$emu_port
stats() { curl -sf "$emu/_emulator/stats"; }
# The group's shards as seen by the emulator: "<shard> <state> <owner>" per line.
assignment() {
    stats | jq -r '.projects[0].logstores[0].consumer_groups[] | select(.name == "procs")
        | .shards[] | "\(.shard) \(.state) \(if .owner == "" then "-" else .owner end)"'
}
echo "procs: processes=$processes shards=$shards backlog=$backlog rate=${rate}/s heartbeat=${heartbeat_s}s group_timeout=${group_timeout_s}s checkpoint=${checkpoint_s}s dir=$dir" >&2

# ---- data arriving throughout: one generate call a second until $dir/stop-data exists ----
(
    while [ ! -e "$dir/stop-data" ]; do
        if [ "$rate" -gt 0 ]; then
            n=$(curl -sf -X POST "$emu/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=$rate" | jq .logs) || n=0
            echo "$n" >>"$dir/generated"
        fi
        sleep 1
    done
) &
gen_pid=$!

# ---- the consumers ----
cat >"$dir/slsfwd.yaml" <<YAML
sls:
  endpoint: $emu
  project: demo
  logstore: nginx
  access_key_id: bench
  access_key_secret: bench-secret
  consumer_group: procs
  heartbeat_interval: ${heartbeat_s}s
  group_timeout: ${group_timeout_s}s
  checkpoint_interval: ${checkpoint_s}s
metrics:
  listen: ""
YAML
chmod 600 "$dir/slsfwd.yaml"
declare -a cpid
t_start=$(now)
for i in $(seq 0 $((processes - 1))); do
    SLSFWD_SLS_CONSUMER_NAME=p$i "$build/slsfwd" run -c "$dir/slsfwd.yaml" \
        --output "file:$dir/p$i.ndjson" 2>"$dir/p$i.log" &
    cpid[$i]=$!
    pids+=("${cpid[$i]}")
done
# told: every shard's owner in $dir/assignment has been told so (its log's latest grant or
# revocation of that shard is a grant). The emulator names a new owner at once, but the owner
# learns it, and starts reading, only at its own next heartbeat.
told() {
    awk 'FNR == 1 { f = FILENAME; sub(/.*\//, "", f); sub(/\.log$/, "", f) }
        FILENAME ~ /assignment$/ { want[$1] = $3; next }
        /msg="shard granted"/ || /msg="shard revoked/ {
            if (match($0, / shard=[0-9]+/)) st[f, substr($0, RSTART + 7, RLENGTH - 7)] = /granted/ }
        END { for (s in want) if (!st[want[s], s]) exit 1 }' "$dir/assignment" "$dir"/p*.log
}
alive() { # fails when a consumer that should run has exited
    local i
    for i in "$@"; do
        kill -0 "${cpid[$i]}" 2>/dev/null || fail "consumer p$i exited: $(tail -n 5 "$dir/p$i.log")"
    done
}

# ---- spread: wait until every process holds shards and every shard is settled ----
settle_deadline=$((SECONDS + 10 * heartbeat_s + 2 * group_timeout_s + 60))
while :; do
    alive $(seq 0 $((processes - 1)))
    assignment >"$dir/assignment" || true
    if [ "$(wc -l <"$dir/assignment")" -eq "$shards" ] &&
        ! grep -qv ' already_alloc ' "$dir/assignment" &&
        [ "$(awk '{print $3}' "$dir/assignment" | sort -u | wc -l)" -eq "$processes" ] && told; then
        break
    fi
    [ $SECONDS -lt $settle_deadline ] || fail "the group did not settle: $(sort -k2 "$dir/assignment" | awk '{print $2, $3}' | uniq -c | tr '\n' ';')"
    sleep 0.2
done
settle_s=$(since "$t_start")
read -r min_shards max_shards < <(awk '{n[$3]++} END { min = -1; for (c in n) { if (min < 0 || n[c] < min) min = n[c]; if (n[c] > max) max = n[c] } print min, max }' "$dir/assignment")
echo "procs: settled after ${settle_s}s: $min_shards..$max_shards shards per process" >&2

# ---- caught up: all but one second of the data generated so far written; then the kill's
# moment in p0's checkpoint cycle ----
generated() { echo $((backlog + $(awk '{s += $1} END {print s + 0}' "$dir/generated" 2>/dev/null || echo 0))); }
written() { cat "$dir"/p*.ndjson 2>/dev/null | wc -l; }
catch_deadline=$((SECONDS + 300))
until [ "$(written)" -ge $(($(generated) - rate)) ]; do
    [ $SECONDS -lt $catch_deadline ] || fail "the group did not catch up within 300 s: $(written) of $(generated) logs written"
    alive $(seq 0 $((processes - 1)))
    sleep 0.2
done
echo "procs: caught up after $(since "$t_start")s: $(written) of $(generated) logs written" >&2
# Half a checkpoint_interval after p0's first commit from here on: what p0 delivered but
# had not committed is then about half an interval of its share, the average case.
p0_commit_us() {
    stats | jq '[.projects[0].logstores[0].consumer_groups[] | select(.name == "procs")
        | .shards[] | select(.checkpoint_consumer == "p0") | .update_time] | max // 0'
}
t_caught_us=$(date +%s%6N)
commit_deadline=$((SECONDS + checkpoint_s + 60))
until [ "$(p0_commit_us)" -gt "$t_caught_us" ]; do
    [ $SECONDS -lt $commit_deadline ] || fail "p0 did not commit a checkpoint within $((checkpoint_s + 60)) s"
    alive $(seq 0 $((processes - 1)))
    sleep 0.1
done
sleep "$(awk -v c="$(p0_commit_us)" -v n="$(date +%s%6N)" -v i="$checkpoint_s" \
    'BEGIN { w = (c + i * 500000 - n) / 1e6; printf "%.2f", (w > 0 ? w : 0) }')"

# ---- kill one with -9, poll until every shard has a live owner again ----
peak_rss_kb=0
rss_of() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
note_rss() {
    local i kb
    for i in "$@"; do
        kb=$(rss_of "${cpid[$i]}")
        [ "${kb:-0}" -le "$peak_rss_kb" ] || peak_rss_kb=$kb
    done
}
note_rss 0
t_kill=$(now)
kill -9 "${cpid[0]}"
{ wait "${cpid[0]}"; } 2>/dev/null || true
reown_deadline=$((SECONDS + 3 * heartbeat_s + 2 * group_timeout_s + 60))
while :; do
    assignment >"$dir/assignment" || true
    if [ "$(wc -l <"$dir/assignment")" -eq "$shards" ] &&
        ! awk '$3 == "-" || $3 == "p0" { found = 1 } END { exit !found }' "$dir/assignment" &&
        told; then
        break
    fi
    [ $SECONDS -lt $reown_deadline ] || fail "p0's shards were not owned again in time"
    alive $(seq 1 $((processes - 1)))
    sleep 0.1
done
reown_s=$(since "$t_kill")
echo "procs: every shard owned again ${reown_s}s after the kill" >&2

# ---- more data, then stop it and wait until every checkpoint is at its shard's end ----
sleep "$after_s"
touch "$dir/stop-data"
wait "$gen_pid"
gen_pid=""
logs=$(generated)
all_committed() {
    stats | jq -e '.projects[0].logstores[0]
        | (.shards | map({key: (.shardID | tostring), value: .end_cursor}) | from_entries) as $ends
        | ([.consumer_groups[] | select(.name == "procs") | .shards[]
            | {key: (.shard | tostring), value: .checkpoint}] | from_entries) as $cps
        | [$ends | to_entries[] | select($cps[.key] != .value)] | length == 0' >/dev/null
}
drain_deadline=$((SECONDS + 2 * checkpoint_s + 120))
until all_committed; do
    [ $SECONDS -lt $drain_deadline ] || fail "checkpoints did not reach their shards' ends"
    alive $(seq 1 $((processes - 1)))
    sleep 0.2
done
note_rss $(seq 1 $((processes - 1)))
for i in $(seq 1 $((processes - 1))); do
    kill -TERM "${cpid[$i]}"
done
for i in $(seq 1 $((processes - 1))); do
    wait "${cpid[$i]}" || fail "consumer p$i exited with $? after SIGTERM: $(tail -n 5 "$dir/p$i.log")"
done

# ---- count: p0 may have died in the middle of a line; drop that partial line ----
if [ -s "$dir/p0.ndjson" ] && [ "$(tail -c 1 "$dir/p0.ndjson" | od -An -c | tr -d ' ')" != '\n' ]; then
    keep=$(($(wc -c <"$dir/p0.ndjson") - $(tail -n 1 "$dir/p0.ndjson" | wc -c)))
    truncate -s "$keep" "$dir/p0.ndjson"
fi
files=()
for i in $(seq 0 $((processes - 1))); do
    [ -e "$dir/p$i.ndjson" ] && files+=("$dir/p$i.ndjson")
done
check=$("$build/seqcheck" --expect "$logs" "${files[@]}" 2>&1) || fail "not every log arrived: $check"
duplicates=$(sed -n 's/.* duplicates=\([0-9]*\).*/\1/p' <<<"$check")
echo "RESULT bench=procs processes=$processes shards=$shards min_shards=$min_shards max_shards=$max_shards reown_s=$reown_s duplicates=$duplicates logs=$logs heartbeat_s=$heartbeat_s group_timeout_s=$group_timeout_s checkpoint_s=$checkpoint_s settle_s=$settle_s peak_rss_mb=$((peak_rss_kb / 1024))"

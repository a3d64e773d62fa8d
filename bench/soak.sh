#!/usr/bin/env bash
# The fault-matrix soak: several slsfwd consumers in one consumer group deliver every log to
# Splunk HEC (tools/hec-receiver) and to syslog (tests/integration/tools/syslog_recorder.c) at
# once while, at the same time:
#   - a consumer is killed with -9 and started again every --kill-interval seconds (round robin;
#     default consumer names, so the restarted process is a new consumer and the dead one's
#     shards wait for the group timeout);
#   - the emulator fails PullLogs (503, latency), heartbeats (500, latency) and checkpoint
#     commits (500, latency) at random;
#   - the HEC receiver answers 503 (Retry-After), resets connections, adds latency and answers
#     one 413, and is down for 10 s (stopped, then started again on the same port);
#   - the syslog receiver stops reading for 5 s twice (a receiver that falls behind, so slsfwd's
#     syslog window and TCP send buffer fill while HEC goes on) and is restarted once (on the
#     same port);
#   - shard 0 of logstore nginx is split, and new data keeps arriving in both logstores
#     (nginx and actiontrail logs) for most of the run.
# Then the faults stop, the run waits until every shard's checkpoint is at its end, stops
# everything gracefully and checks, per output, that every generated log (the emulator's
# unique `seq`) arrived. One line per output:
#   RESULT bench=soak output=<hec|syslog> logs=N delivered_unique=N duplicates=D kills=K seconds=S
# seconds: from the first consumer's start until every checkpoint reached its shard's end (the
# same for both outputs: a checkpoint passes a log only when both outputs confirmed it).
# Exit 0 only when every log arrived at every output (and no consumer crashed or failed its
# final drain). On a miss it lists the missing seq ranges with the shard they came from.
#
# The syslog receiver is restarted GRACEFULLY (SIGTERM; it half-closes each connection and
# reads until slsfwd closes its side): slsfwd confirms syslog data once the receiver's kernel
# acknowledged the bytes, so a receiver killed with -9 loses what sat unread in its socket
# buffer although slsfwd counts it as delivered. That is the documented meaning of "delivered"
# over TCP, not a slsfwd defect, so the soak does not do it.
#
# Usage: bench/soak.sh [--build DIR] [--slsfwd BIN] [--logs N] [--seconds S] [--consumers C]
#                      [--kill-interval K] [--settle S] [--keep]
# or the same through SOAK_BUILD, SOAK_SLSFWD, SOAK_LOGS, SOAK_SECONDS, SOAK_CONSUMERS,
# SOAK_KILL_INTERVAL, SOAK_SETTLE, SOAK_KEEP (flags win). --slsfwd runs another slsfwd binary
# (e.g. a ThreadSanitizer build) with the tools of --build; a sanitizer report makes that
# consumer exit non-zero at its final SIGTERM, which fails the run. Defaults are the full run: 400000 logs, 120 s of faults,
# 3 consumers, a kill every 5 s, up to 180 s to settle. CI runs it small
# (tests/integration/410-soak-small). Needs curl and jq; never needs root.
# `make bench` runs it at a size between CI's and the full run (under a minute); the smoke run
# leaves it to integration.410-soak-small, which runs this script at CI size in every ctest run.
# bench: bench/soak.sh --build $BUILD --logs 60000 --seconds 30 --kill-interval 3 --settle 60
# bench-smoke: skip (integration.410-soak-small runs it)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOAK_BUILD:-$repo/build}
logs=${SOAK_LOGS:-400000}
chaos_s=${SOAK_SECONDS:-120}
consumers=${SOAK_CONSUMERS:-3}
kill_interval=${SOAK_KILL_INTERVAL:-5}
settle_s=${SOAK_SETTLE:-180}
keep=${SOAK_KEEP:-}
slsfwd=${SOAK_SLSFWD:-}
group_timeout=10 # short, so a killed consumer's shards move on soon
hec_down_s=10
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2 && shift ;;
    --slsfwd) slsfwd=$2 && shift ;;
    --logs) logs=$2 && shift ;;
    --seconds) chaos_s=$2 && shift ;;
    --consumers) consumers=$2 && shift ;;
    --kill-interval) kill_interval=$2 && shift ;;
    --settle) settle_s=$2 && shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--build DIR] [--slsfwd BIN] [--logs N] [--seconds S] [--consumers C] [--kill-interval K] [--settle S] [--keep]" >&2 && exit 2 ;;
    esac
    shift
done
for v in logs chaos_s consumers kill_interval settle_s; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || { echo "soak: $v must be a positive integer" >&2 && exit 2; }
done
[ "$chaos_s" -ge 20 ] || { echo "soak: --seconds must be at least 20 (the HEC outage alone is ${hec_down_s}s)" >&2 && exit 2; }
slsfwd=${slsfwd:-$build/slsfwd}
for tool in "$slsfwd" "$build"/{sls-emulator,hec-receiver,syslog-recorder,seqcheck}; do
    [ -x "$tool" ] || { echo "soak: $tool missing (build the tree first)" >&2 && exit 2; }
done
export SF_BUILD=$build SF_KEEP=$keep
# lib.sh: the temp dir $T, PIDS killed at exit, fail, wait_for, start_emulator, start_receiver.
source "$repo/tests/integration/lib.sh"
# Its own directory, not lib.sh's /tmp/sf-it.*: other test runs on a shared machine clean those.
rmdir "$T"
T=$(mktemp -d "${TMPDIR:-/tmp}/sf-soak.XXXXXX")
echo "soak: logs=$logs seconds=$chaos_s consumers=$consumers kill_interval=${kill_interval}s group_timeout=${group_timeout}s dir=$T"

# ---- data: 30% before the start, the rest in one chunk a second over the first 75% ----
initial=$((logs * 3 / 10))
initial_audit=$((initial / 5))
initial_nginx=$((initial - initial_audit))
ticks=$((chaos_s * 3 / 4))
generated=$initial

start_emulator --project demo --logstore nginx --shards 4 --generate "nginx:$initial_nginx" \
    --logstore audit --shards 2 --generate "actiontrail:$initial_audit"

generate_tick() { # generate_tick N: the N-th of $ticks chunks; every 4th goes to audit
    local n=$1 count=$(((logs - initial) / ticks))
    [ "$n" -eq "$ticks" ] && count=$((logs - generated))
    [ "$count" -gt 0 ] || return 0
    if [ $((n % 4)) -eq 0 ]; then
        emu POST "/_emulator/projects/demo/logstores/audit/generate?kind=actiontrail&count=$count" >/dev/null
    else
        emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=$count" >/dev/null
    fi
    generated=$((generated + count))
}

# ---- receivers ----
hec_faults=(--fault "type=503,rate=0.05,retry_after=1" --fault "type=reset,rate=0.03"
    --fault "type=latency,ms=200,rate=0.1")
start_receiver "${hec_faults[@]}" --fault "type=413,count=1"
hec_listen=${HEC_URL#http://}
hec_starts=1

syslog_port=$(free_port 1)
start_syslog() {
    "$build/syslog-recorder" --listen "127.0.0.1:$syslog_port" --out "$T/syslog.ndjson" \
        >"$T/syslog-recorder.out" 2>>"$T/syslog-recorder.log" &
    SYSLOG_PID=$!
    PIDS+=("$SYSLOG_PID")
    wait_for 10 "syslog-recorder to listen" grep -q listening "$T/syslog-recorder.out"
}
stop_syslog() { # graceful: it reads until every sender closed (see the header)
    kill -TERM "$SYSLOG_PID"
    wait "$SYSLOG_PID" || fail "syslog-recorder exited with $?"
}
start_syslog
syslog_restarts=0

# ---- consumers ----
cat >"$T/consumer.yaml" <<YAML
sls:
  endpoint: $EMU
  project: demo
  access_key_id: $AK_ID
  access_key_secret: $AK_SECRET
  consumer_group: soak
  heartbeat_interval: 1s
  group_timeout: ${group_timeout}s
  checkpoint_interval: 1s
  fetch_interval: 300ms
sources:
  - logstore: nginx
  - logstore: audit
output:
  hec:
    url: $HEC_URL
    token: it-token
    dead_letter_path: $T/dead-letter.ndjson
    retry_max_interval: 2s
    linger: 200ms
  syslog:
    address: 127.0.0.1:$syslog_port
metrics:
  listen: ""
limits:
  drain_timeout: 30s
YAML
chmod 600 "$T/consumer.yaml"
declare -a CPID
start_consumer() { # start_consumer I: consumer I, its log appended across restarts
    echo "--- start at +$((SECONDS - t0))s" >>"$T/c$1.log"
    "$slsfwd" run -c "$T/consumer.yaml" >>"$T/c$1.stdout" 2>>"$T/c$1.log" &
    CPID[$1]=$!
    PIDS+=("${CPID[$1]}")
}
unexpected=0
check_consumers() { # a consumer that exited without being killed is a crash: note, restart
    local i rc
    for i in $(seq 0 $((consumers - 1))); do
        if ! kill -0 "${CPID[$i]}" 2>/dev/null; then
            rc=0
            wait "${CPID[$i]}" || rc=$?
            echo "soak: consumer c$i (pid ${CPID[$i]}) exited by itself with $rc; restarting" >&2
            unexpected=$((unexpected + 1))
            [ "$unexpected" -le $((consumers * 5)) ] || fail "consumers keep exiting: see $T/c$i.log"
            start_consumer "$i"
        fi
    done
}

# ---- the run ----
sls_faults=("api=PullLogs,type=503,rate=0.05" "api=PullLogs,type=latency,ms=300,rate=0.1"
    "api=ConsumerGroupHeartBeat,type=500,rate=0.05" "api=ConsumerGroupHeartBeat,type=latency,ms=500,rate=0.05"
    "api=ConsumerGroupUpdateCheckPoint,type=500,rate=0.1" "api=ConsumerGroupUpdateCheckPoint,type=latency,ms=500,rate=0.1")
for f in "${sls_faults[@]}"; do
    emu POST /_emulator/faults -d "$f" >/dev/null
done
t0=$SECONDS
for i in $(seq 0 $((consumers - 1))); do
    start_consumer "$i"
done

hec_down_at=$((chaos_s / 5))
split_at=$((chaos_s * 2 / 5))
syslog_restart_at=$((chaos_s * 11 / 20))
syslog_pause_at=($((chaos_s * 3 / 10)) $((chaos_s * 7 / 10)))
syslog_pauses=0
kills=0
tick=0
next_kill=$kill_interval
hec_state=up
split_done=0
while [ $((SECONDS - t0)) -lt "$chaos_s" ]; do
    now=$((SECONDS - t0))
    while [ "$tick" -lt "$ticks" ] && [ "$tick" -le "$now" ]; do
        tick=$((tick + 1))
        generate_tick "$tick"
    done
    if [ "$now" -ge "$next_kill" ]; then
        i=$((kills % consumers))
        kill -9 "${CPID[$i]}" 2>/dev/null || true
        wait "${CPID[$i]}" 2>/dev/null || true
        kills=$((kills + 1))
        echo "--- killed -9 at +${now}s" >>"$T/c$i.log"
        start_consumer "$i"
        next_kill=$((next_kill + kill_interval))
    fi
    if [ "$hec_state" = up ] && [ "$now" -ge "$hec_down_at" ]; then
        curl -sf "$RCV/stats" >"$T/hec-stats-1.json"
        kill -TERM "$RCV_PID"
        wait "$RCV_PID" || fail "hec-receiver exited with $? on SIGTERM"
        hec_state=down
        echo "soak: +${now}s HEC receiver down for ${hec_down_s}s"
    elif [ "$hec_state" = down ] && [ "$now" -ge $((hec_down_at + hec_down_s)) ]; then
        RECEIVER_LISTEN=$hec_listen start_receiver "${hec_faults[@]}"
        hec_starts=$((hec_starts + 1))
        hec_state=back
        echo "soak: +${now}s HEC receiver back on $hec_listen"
    fi
    if [ "$split_done" -eq 0 ] && [ "$now" -ge "$split_at" ]; then
        echo "soak: +${now}s split: $(emu POST /_emulator/projects/demo/logstores/nginx/shards/0/split)"
        split_done=1
    fi
    if [ "$syslog_restarts" -eq 0 ] && [ "$now" -ge "$syslog_restart_at" ]; then
        stop_syslog
        sleep 2
        start_syslog
        syslog_restarts=1
        echo "soak: +${now}s syslog receiver restarted (graceful stop, 2 s down)"
    fi
    if [ "$syslog_pauses" -lt ${#syslog_pause_at[@]} ] && [ "$now" -ge "${syslog_pause_at[$syslog_pauses]}" ]; then
        kill -USR1 "$SYSLOG_PID"
        syslog_pauses=$((syslog_pauses + 1))
        echo "soak: +${now}s syslog receiver stops reading for 5 s"
    fi
    check_consumers
    sleep 0.5
done
[ "$hec_state" = back ] || fail "the HEC outage did not finish within --seconds"
[ "$generated" -eq "$logs" ] || fail "generated $generated logs, wanted $logs"
emu_total=$(emu GET /_emulator/stats | jq '[.projects[].logstores[].shards[].logs_total] | add')
[ "$emu_total" -eq "$logs" ] || fail "the emulator holds $emu_total logs, $logs were generated"
sls_fired=$(emu GET /_emulator/stats | jq .faults_fired)
curl -sf "$RCV/stats" >"$T/hec-stats-2.json"
hec_fired=$(jq -s "map(.faults.fired) | add" "$T"/hec-stats-[12].json)
hec_413=$(jq -s "map(.requests.event.by_status[\"413\"] // 0) | add" "$T"/hec-stats-[12].json)
emu DELETE /_emulator/faults >/dev/null
rcv DELETE /faults >/dev/null
faults_off_at=$((SECONDS - t0))
echo "soak: +$((SECONDS - t0))s faults off (sls fired $sls_fired, hec fired $hec_fired), $kills kills; settling"

# ---- settle: every shard's checkpoint at its end ----
all_committed() {
    emu GET /_emulator/stats | jq -e '
        [.projects[].logstores[]
         | (.shards | map({key: (.shardID | tostring), value: .end_cursor}) | from_entries) as $ends
         | ([.consumer_groups[] | select(.name == "soak") | .shards[]
             | {key: (.shard | tostring), value: .checkpoint}] | from_entries) as $cps
         | $ends | to_entries[] | select($cps[.key] != .value)] | length == 0' >/dev/null
}
settled=0
settle_deadline=$((SECONDS + settle_s))
while [ $SECONDS -lt $settle_deadline ]; do
    check_consumers
    if all_committed; then
        settled=1
        break
    fi
    sleep 0.5
done
run_s=$((SECONDS - t0))
[ $settled -eq 1 ] || echo "soak: checkpoints did not all reach their ends within ${settle_s}s" >&2
[ $settled -eq 0 ] || echo "soak: +${run_s}s every checkpoint at its shard's end, $((run_s - faults_off_at)) s after the faults stopped"
emu GET /_emulator/stats | jq -c '.projects[].logstores[] | {logstore: .name, shards: [.consumer_groups[] | select(.name == "soak") | .shards[] | {shard, state, owner}]}' >"$T/final-assignment.json"

# ---- stop everything gracefully, then count ----
drain_failures=0
for i in $(seq 0 $((consumers - 1))); do
    kill -TERM "${CPID[$i]}" 2>/dev/null || true
done
for i in $(seq 0 $((consumers - 1))); do
    rc=0
    wait "${CPID[$i]}" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "soak: consumer c$i exited with $rc after SIGTERM" >&2
        drain_failures=$((drain_failures + 1))
    fi
done
kill -TERM "$RCV_PID"
wait "$RCV_PID" || fail "hec-receiver exited with $? on SIGTERM"
stop_syslog

problems=()
[ $settled -eq 1 ] || problems+=("checkpoints not all at their shard's end ${settle_s}s after the faults stopped")
[ "$unexpected" -eq 0 ] || problems+=("$unexpected consumer exit(s) nobody asked for")
[ "$drain_failures" -eq 0 ] || problems+=("$drain_failures consumer(s) exited non-zero after SIGTERM")
[ ! -s "$T/dead-letter.ndjson" ] || problems+=("$(wc -l <"$T/dead-letter.ndjson") events dead-lettered")
declare -A out_file=([hec]=$T/received.ndjson [syslog]=$T/syslog.ndjson)
missing_any=0
for out in hec syslog; do
    rc=0
    "$build/seqcheck" --expect "$logs" --missing --ref "$T/syslog.ndjson" "${out_file[$out]}" \
        >"$T/seqcheck-$out.txt" 2>&1 || rc=$?
    summary=$(grep '^events=' "$T/seqcheck-$out.txt")
    distinct=$(sed -n 's/.* distinct=\([0-9]*\).*/\1/p' <<<"$summary")
    dups=$(sed -n 's/.* duplicates=\([0-9]*\).*/\1/p' <<<"$summary")
    echo "RESULT bench=soak output=$out logs=$logs delivered_unique=$distinct duplicates=$dups kills=$kills seconds=$run_s"
    if [ $rc -ne 0 ]; then
        problems+=("$out: $summary")
        missing_any=1
        echo "soak: $out: $summary" >&2
        grep -E '^missing|seqcheck:' "$T/seqcheck-$out.txt" | sed "s/^/soak: $out: /" >&2 || true
    fi
done

# Logs missing from both outputs have no shard on record: read the logstores once more, with a
# fresh consumer group and no faults, into a second recorder to learn each seq's shard.
if [ $missing_any -eq 1 ] && grep -q 'shard=?' "$T"/seqcheck-*.txt; then
    "$build/syslog-recorder" --listen 127.0.0.1:0 --out "$T/reference.ndjson" \
        >"$T/ref-recorder.out" 2>"$T/ref-recorder.log" &
    ref_pid=$!
    PIDS+=("$ref_pid")
    wait_for 10 "the reference recorder" grep -q listening "$T/ref-recorder.out"
    ref_port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/ref-recorder.out")
    sed -e 's/consumer_group: soak/consumer_group: soak-reference/' -e '/^  hec:/,/^  syslog:/{/^  syslog:/!d}' \
        -e "s/address: 127.0.0.1:$syslog_port/address: 127.0.0.1:$ref_port/" "$T/consumer.yaml" >"$T/reference.yaml"
    chmod 600 "$T/reference.yaml"
    "$slsfwd" run -c "$T/reference.yaml" >/dev/null 2>"$T/reference.log" &
    ref_fwd=$!
    PIDS+=("$ref_fwd")
    wait_for 120 "the reference read" bash -c "[ \$(wc -l <'$T/reference.ndjson') -ge $logs ]"
    kill -TERM "$ref_fwd" && wait "$ref_fwd" || true
    kill -TERM "$ref_pid" && wait "$ref_pid" || true
    for out in hec syslog; do
        "$build/seqcheck" --expect "$logs" --missing --ref "$T/reference.ndjson" "${out_file[$out]}" 2>&1 |
            grep -E '^missing' | sed "s/^/soak: $out (shards from a reference read): /" >&2 || true
    done
fi

echo "soak: faults sls_fired=$sls_fired hec_fired=$hec_fired hec_413=$hec_413 hec_starts=$hec_starts syslog_restarts=$syslog_restarts syslog_pauses=$syslog_pauses split=$split_done kills=$kills crashes=$unexpected drain_failures=$drain_failures"
[ "$sls_fired" -gt 0 ] && [ "$hec_fired" -gt 0 ] || fail "faults did not fire: the run proves nothing"
[ ${#problems[@]} -eq 0 ] || fail "$(IFS=';'; echo "${problems[*]}") (details above; files in $T)"
echo "PASS"

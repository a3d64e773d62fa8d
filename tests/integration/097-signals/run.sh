#!/usr/bin/env bash
# Signals as supervisors and logrotate send them:
# - SIGTERM while start-up is still probing HEC's health (slow endpoint): remembered, and the
#   process drains and exits 0 once the coord exists, instead of ignoring it.
# - The same SIGTERM delivered to the process and to its group (GNU timeout, kill -TERM -PGID)
#   is one stop request: a clean drain and exit 0, not the immediate exit 130.
# - SIGHUP after the log file was moved away: a new log file appears and the process runs on.
source "$SF_TESTS/lib.sh"

# exit_code_within SECONDS PID: waits for PID to exit (polling, so a hang is a failure, not a
# stuck test) and sets rc to its exit status.
exit_code_within() {
    local seconds=$1 pid=$2 deadline=$((SECONDS + $1))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "pid $pid still running ${seconds}s after the signal"
        sleep 0.2
    done
    rc=0
    wait "$pid" || rc=$?
}

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000

## Part 1: SIGTERM during the HEC health probe.
start_receiver --fault 'type=latency,ms=5000,endpoint=health'
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 30 "the HEC health probe to start" grep -q 'msg="HEC sink starting"' "$T/a.log"
sleep 0.5
kill -TERM "$PID_a"
exit_code_within 60 "$PID_a"
[ "$rc" -eq 0 ] || fail "SIGTERM during start-up: exit $rc, expected a clean drain and 0"
# The signal came while the probe waited: its line precedes the probe's verdict.
stop_line=$(grep -n 'stop requested' "$T/a.log" | head -n 1 | cut -d: -f1)
probe_line=$(grep -n 'is healthy' "$T/a.log" | head -n 1 | cut -d: -f1)
[ -n "$stop_line" ] || fail "the SIGTERM was not logged"
[ -n "$probe_line" ] && [ "$stop_line" -lt "$probe_line" ] ||
    fail "the SIGTERM did not arrive during the health probe (stop line $stop_line, probe $probe_line)"
grep -q 'msg="stopping: pulls stopped' "$T/a.log" || fail "no drain after the early SIGTERM"
kill "$RCV_PID"

## Part 2: one SIGTERM to the process, then the same to its process group 50 ms later, while
## HEC answers slowly (so the drain takes seconds and the second delivery meets a live process).
start_receiver --fault 'type=latency,ms=1500'
write_config "$T/b.yaml" "$T/b.ndjson" nginx
setsid "$SF_BUILD/slsfwd" run -c "$T/b.yaml" >"$T/b.stdout" 2>"$T/b.log" &
PID_b=$!
PIDS+=("$PID_b")
wait_for 60 "a shard to start" grep -q 'msg="shard started"' "$T/b.log"
sleep 1 # the first pulls are in HEC's slow hands now
[ "$(ps -o pgid= -p "$PID_b" | tr -d ' ')" = "$PID_b" ] || fail "slsfwd does not lead its group"
kill -TERM "$PID_b"
sleep 0.05
kill -TERM -- "-$PID_b"
exit_code_within 60 "$PID_b"
[ "$rc" -eq 0 ] || fail "SIGTERM to process and group: exit $rc, expected 0 (one drain)"
grep -q 'msg="stopping: pulls stopped' "$T/b.log" || fail "no drain"
grep -q 'same stop signal again within 1 s' "$T/b.log" || fail "the duplicate was not logged"

# The same through GNU timeout, which signals the child and then its own group.
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
timeout --preserve-status 4 "$SF_BUILD/slsfwd" run -c "$T/b.yaml" >"$T/c.stdout" 2>"$T/c.log" &
pid_c=$!
PIDS+=("$pid_c")
exit_code_within 60 "$pid_c"
[ "$rc" -eq 0 ] || fail "timeout --preserve-status 4 slsfwd run: exit $rc, expected 0"
kill "$RCV_PID"
unset HEC_URL

## Part 3: SIGHUP reopens log.file.
CG=it-cg-hup write_config "$T/d.yaml" "$T/d.ndjson" nginx
printf 'log:\n  file: %s\n' "$T/d.file.log" >>"$T/d.yaml"
start_slsfwd d "$T/d.yaml"
wait_for 30 "the log file" grep -q 'msg="coord started"' "$T/d.file.log"
mv "$T/d.file.log" "$T/d.file.log.1"
kill -HUP "$PID_d"
wait_for 30 "a new log file after SIGHUP" grep -q 'log file reopened' "$T/d.file.log"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=500" >/dev/null
total=$(emu_logs nginx)
wait_for 60 "$total logs after SIGHUP" lines_at_least "$total" "$T/d.ndjson"
kill -0 "$PID_d" || fail "SIGHUP killed the process"
stop_slsfwd d
grep -q 'msg="stopped"' "$T/d.file.log" || fail "the final lines did not reach the new log file"
echo "PASS"

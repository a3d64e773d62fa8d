#!/usr/bin/env bash
# A second SIGTERM, 1 s or more after the first, while the first is still draining (here: a
# sink that never reads) exits at once with 130. Checkpoints lag what was delivered, but
# nothing is lost: a restart delivers every log.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:5000
mkfifo "$T/fifo"
write_config "$T/a.yaml" "$T/fifo" nginx
start_slsfwd a "$T/a.yaml"
sleep 3
kill -TERM "$PID_a"
wait_for 10 "the drain to start" grep -q 'msg="stopping: pulls stopped' "$T/a.log"
sleep 1.5 # a repeat within 1 s is the same signal delivered twice (097-signals), not a second
started=$SECONDS
kill -TERM "$PID_a"
rc=0
wait "$PID_a" || rc=$?
[ $rc -eq 130 ] || fail "second signal: exit $rc, expected 130"
[ $((SECONDS - started)) -le 3 ] || fail "the second signal did not exit at once"
grep -q 'second signal: exiting at once' "$T/a.log" || fail "no message about the second signal"
# Nothing was delivered, so nothing may be lost: a new run delivers all 5000.
write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd b "$T/b.yaml"
wait_for 60 "5000 logs after the restart" lines_at_least 5000 "$T/b.ndjson"
stop_slsfwd b
seqcheck --expect 5000 "$T/b.ndjson"
echo "PASS"

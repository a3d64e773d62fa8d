#!/usr/bin/env bash
# The HEC receiver is down for 30 s, then back on the same port: slsfwd retries, the shards
# wait (checkpoints frozen), and nothing is lost.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
start_receiver
RECEIVER_LISTEN=${HEC_URL#http://} # the same port when it comes back
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "3000 events" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 3000 ]"
kill -TERM "$RCV_PID"
wait "$RCV_PID" || true
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
checkpoints() {
    emu GET /_emulator/stats | jq -c '[.projects[].logstores[].consumer_groups[].shards[] | .checkpoint]'
}
sleep 5
before=$(checkpoints)
sleep 25
after=$(checkpoints)
[ "$before" = "$after" ] || fail "checkpoints moved while HEC was down"
start_receiver
wait_for 90 "all 6000 events" bash -c "\"$SF_BUILD/seqcheck\" --expect 6000 $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd a
seqcheck --expect 6000 "$T/received.ndjson"
grep -qE 'level=(warn|error) module=hec' "$T/a.log" || fail "the outage was not logged"
echo "PASS"

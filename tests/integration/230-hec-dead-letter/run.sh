#!/usr/bin/env bash
# Events HEC refuses as invalid (here: ActionTrail events over the receiver's event size limit)
# go to the dead-letter file with the code, text, source, shard and cursor; the rest of each
# request is sent on, and every other event arrives.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000 \
    --logstore audit --shards 1 --generate actiontrail:200
start_receiver --max-event-size 1200
write_config "$T/a.yaml" "$T/out" nginx audit
start_slsfwd a "$T/a.yaml"
wait_for 60 "3000 nginx events" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 3000 ]"
sleep 3
stop_slsfwd a
dead=$(wc -l <"$T/out.dead-letter")
accepted=$(received)
echo "accepted=$accepted dead_lettered=$dead"
[ "$dead" -gt 0 ] || fail "nothing dead-lettered"
[ $((accepted + dead)) -eq 3200 ] || fail "accepted + dead-lettered = $((accepted + dead)), expected 3200"
jq -e 'select(.code == 6 and .status == 400 and .source == "demo/audit" and (.cursor | length) > 0 and (.shard | type) == "number" and .event.event.__topic__ == "actiontrail_audit_event")' "$T/out.dead-letter" >/dev/null ||
    fail "dead-letter lines lack code/status/source/shard/cursor/event"
# Dead-lettered and accepted together cover every log exactly once.
jq -c '.event' "$T/out.dead-letter" >"$T/dead-events.ndjson"
seqcheck --expect 3200 --max-dup 0 "$T/received.ndjson" "$T/dead-events.ndjson"
echo "PASS"

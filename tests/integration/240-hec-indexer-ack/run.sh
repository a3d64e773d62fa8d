#!/usr/bin/env bash
# Indexer acknowledgement: a request counts as delivered only when HEC says it is indexed; acks
# that never come (lost) make slsfwd send the request again after ack_timeout; checkpoints
# only advance over acknowledged data.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000
start_receiver --ack --ack-delay-ms 500 --fault type=lost_ack,rate=0.2
HEC_EXTRA=$'ack: true\nack_poll_interval: 200ms\nack_timeout: 3s\nmax_body_bytes: 200000'
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 90 "4000 distinct events" bash -c "\"$SF_BUILD/seqcheck\" --expect 4000 $T/received.ndjson >/dev/null 2>&1"
wait_for 30 "every ack answered" bash -c "[ \$(curl -sf $RCV/stats | jq .acks.pending) -eq 0 ] || [ \$(curl -sf $RCV/stats | jq '.acks.lost') -gt 0 ]"
sleep 4
stop_slsfwd a
rcv GET /stats | jq -c .acks
lost=$(rcv GET /stats | jq .acks.lost)
queries=$(rcv GET /stats | jq .acks.queries)
[ "$queries" -gt 0 ] || fail "no ack query"
[ "$lost" -gt 0 ] || fail "no lost ack: the resend path was not exercised"
seqcheck --expect 4000 "$T/received.ndjson"
grep -q 'ack' "$T/a.log" || fail "no log line about acks"
echo "PASS"

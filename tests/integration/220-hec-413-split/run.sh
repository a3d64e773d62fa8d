#!/usr/bin/env bash
# HEC's body limit is smaller than slsfwd's requests: 413 answers split requests until they fit;
# every event arrives, none is lost or dead-lettered.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:5000
start_receiver --max-content-length 60000
HEC_EXTRA=$'max_body_bytes: 1000000\ngzip: false'
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "5000 events" bash -c "\"$SF_BUILD/seqcheck\" --expect 5000 $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd a
seqcheck --expect 5000 --max-dup 0 "$T/received.ndjson"
n413=$(rcv GET /stats | jq '.requests.event.by_status["413"] // 0')
echo "413 answers: $n413"
[ "$n413" -gt 0 ] || fail "the limit never triggered"
[ ! -s "$T/out.dead-letter" ] || fail "events were dead-lettered"
echo "PASS"

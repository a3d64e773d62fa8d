#!/usr/bin/env bash
# HEC answers 503 (Retry-After), 500, 429, resets connections, adds latency and accepts part of
# a request before a 503: nothing is lost, every event arrives.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 4 --generate nginx:20000
start_receiver --fault type=503,rate=0.1,retry_after=1 --fault type=500,rate=0.05 \
    --fault type=429,rate=0.05 --fault type=reset,rate=0.05 --fault type=latency,ms=300,rate=0.1 \
    --fault type=503,k=3,rate=0.05 --fault type=proxy,status=502,rate=0.03
HEC_EXTRA="max_body_bytes: 100000"
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 120 "20000 distinct events" bash -c "\"$SF_BUILD/seqcheck\" --expect 20000 $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd a
seqcheck --expect 20000 "$T/received.ndjson"
fired=$(rcv GET /stats | jq .faults.fired)
echo "faults fired: $fired"
[ "$fired" -gt 5 ] || fail "too few faults fired to mean anything"
echo "PASS"

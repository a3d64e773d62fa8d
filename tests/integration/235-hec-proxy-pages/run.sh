#!/usr/bin/env bash
# A proxy or WAF in front of Splunk answers with its own HTML pages: 400 and 403 on data
# requests, a 403 on one ack query. None of that is Splunk refusing events: slsfwd backs off and
# sends the same requests again, dead-letters nothing, keeps indexer acknowledgement on (one
# refused ack query confirms nothing and gives nothing up), and every log arrives exactly once.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:2000
start_receiver --ack --ack-delay-ms 200 \
    --fault 'type=proxy,status=400,count=3' --fault 'type=proxy,status=403,count=2' \
    --fault 'type=proxy,status=403,endpoint=ack,count=1'
HEC_EXTRA=$'ack: true\nack_poll_interval: 200ms\nack_timeout: 60s\nmax_body_bytes: 100000'
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 90 "2000 distinct events" bash -c "\"$SF_BUILD/seqcheck\" --expect 2000 $T/received.ndjson >/dev/null 2>&1"
wait_for 30 "every ack answered" bash -c "[ \$(curl -sf $RCV/stats | jq .acks.pending) -eq 0 ]"
fired=$(rcv GET /stats | jq .faults.fired)
echo "faults_fired=$fired"
[ "$fired" -eq 6 ] || fail "expected 6 proxy pages, the receiver sent $fired"
sleep 2
stop_slsfwd a
[ ! -s "$T/out.dead-letter" ] || fail "dead-lettered on a proxy's word: $(head -c 300 "$T/out.dead-letter")"
grep -q 'msg="HEC request failed".*status=400 body=' "$T/a.log" || fail "the 400 page is not logged"
grep -q '403 Forbidden' "$T/a.log" || fail "the 403 page is not logged"
! grep -q 'indexer acknowledgement is unusable' "$T/a.log" || fail "one refused ack query gave ack up"
seqcheck --expect 2000 --max-dup 0 "$T/received.ndjson"
echo "PASS"

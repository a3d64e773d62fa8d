#!/usr/bin/env bash
# Indexer acknowledgement through a load balancer without sticky sessions (the receiver's
# --indexers 2: requests take turns between two indexers, each counting ackIds from 0 on the
# channel, each answering ack queries for its own ids). A repeated ackId proves nothing: slsfwd
# confirms no request by another's ack, gives ack up once the channel is plainly spread (ERROR
# naming the fix), sends the waiting requests again, and counts every resent event: every log
# arrives, and the duplicates are exactly the counted resends.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
start_receiver --ack --indexers 2 --ack-delay-ms 300
HEC_EXTRA=$'ack: true\nack_poll_interval: 200ms\nack_timeout: 60s\nmax_body_bytes: 100000'
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
wait_for 90 "3000 distinct events" bash -c "\"$SF_BUILD/seqcheck\" --expect 3000 $T/received.ndjson >/dev/null 2>&1"
metric() { curl -sf "http://127.0.0.1:$mport/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
# Every duplicate the receiver got is a resend slsfwd counted (no other fault here).
wait_for 60 "duplicates = counted resends" bash -c \
    "[ \$(( \$(curl -sf $RCV/stats | jq .events.accepted) - 3000 )) -eq \$(curl -sf http://127.0.0.1:$mport/metrics | awk '\$1 == \"slsfwd_hec_ack_resent_events_total\" {print \$2}') ]"
resent=$(metric slsfwd_hec_ack_resent_events_total)
repeats=$(metric slsfwd_hec_ack_id_repeats_total)
accepted=$(received)
echo "accepted=$accepted resent_events=$resent ack_id_repeats=$repeats"
stop_slsfwd a
[ "${repeats%.*}" -ge 1 ] || fail "no repeated ackId seen: the receiver did not spread the channel"
[ "${resent%.*}" -ge 1 ] || fail "nothing resent"
grep -q 'msg="HEC keeps giving out ackIds that are already taken' "$T/a.log" ||
    fail "no ERROR saying the channel is spread over several indexers"
grep -q 'sticky sessions' "$T/a.log" || fail "the log does not name the fix"
seqcheck --expect 3000 "$T/received.ndjson"
echo "PASS"

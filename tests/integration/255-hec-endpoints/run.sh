#!/usr/bin/env bash
# Several HEC endpoints (output.hec.urls) with indexer acknowledgement: three receivers, one
# killed with kill -9 while requests and acks are outstanding on it, one answering 503 (data
# and health) for a while. Every log arrives across the three, duplicates only as far as the
# per-endpoint resend counters explain them, every checkpoint reaches its shard's end, and
# /metrics shows each endpoint with its counters, the killed one unhealthy.
source "$SF_TESTS/lib.sh"

SHARDS=2
start_emulator --project demo --logstore nginx --shards $SHARDS --generate nginx:3000

# start_rcv I ARGS...: receiver I recording to $T/r$I.ndjson; sets RPORT_I and RPID_I.
start_rcv() {
    local i=$1
    shift
    "$SF_BUILD/hec-receiver" --listen 127.0.0.1:0 --token it-token --out "$T/r$i.ndjson" \
        --ack --ack-delay-ms 300 "$@" >"$T/r$i.out" 2>"$T/r$i.log" &
    local pid=$!
    PIDS+=("$pid")
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^hec-receiver listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/r$i.out" 2>/dev/null || true)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || fail "receiver $i exited: $(cat "$T/r$i.log")"
        sleep 0.1
    done
    [ -n "$port" ] || fail "receiver $i did not start"
    printf -v "RPORT_$i" '%s' "$port"
    printf -v "RPID_$i" '%s' "$pid"
}
# Receiver 1 answers a little slowly, so requests are on the wire to it when it dies.
start_rcv 1 --fault type=latency,ms=10
start_rcv 2
start_rcv 3
R1=http://127.0.0.1:$RPORT_1 R2=http://127.0.0.1:$RPORT_2 R3=http://127.0.0.1:$RPORT_3

HEC_URL=$R1 HEC_EXTRA=$'ack: true\nack_poll_interval: 200ms\nack_timeout: 20s\nmax_body_bytes: 20000\nmax_in_flight: 2' \
    write_config "$T/a.yaml" "$T/out" nginx
# one url -> three urls
sed -i "s|^    url: .*|    urls: [$R1, $R2, $R3]|" "$T/a.yaml"
grep -q '^    urls: \[' "$T/a.yaml" || fail "config: no urls"
start_slsfwd a "$T/a.yaml"

accepted() { curl -sf "http://127.0.0.1:$1/_receiver/stats" | jq .events.accepted; }
alive() { kill -0 "$PID_a" 2>/dev/null || fail "slsfwd exited: $(tail -n 5 "$T/a.log")"; }
wait_for 30 "the three receivers to get events" bash -c \
    "for p in $RPORT_1 $RPORT_2 $RPORT_3; do [ \$(curl -sf http://127.0.0.1:\$p/_receiver/stats | jq .events.accepted) -gt 0 ] || exit 1; done"

# Receiver 3 turns busy: 503 code 9 on data, 503 code 18 on health.
curl -sf -X POST "$R3/_receiver/faults" -d 'type=503' >/dev/null
curl -sf -X POST "$R3/_receiver/faults" -d 'type=unhealthy' >/dev/null
r1_before=$(accepted "$RPORT_1")
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=6000" >/dev/null
wait_for 30 "receiver 1 busy with the new logs" bash -c "[ \$(curl -sf $R1/_receiver/stats | jq .events.accepted) -gt $((r1_before + 50)) ]"
kill -9 "$RPID_1"
wait "$RPID_1" 2>/dev/null || true
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
wait_for 30 "the killed and the busy endpoint taken out" grep -q "taken out.*127.0.0.1:$RPORT_3" "$T/a.log"
grep -q "taken out.*127.0.0.1:$RPORT_1" "$T/a.log" || wait_for 30 "receiver 1 taken out" grep -q "taken out.*127.0.0.1:$RPORT_1" "$T/a.log"
sleep 3
alive
r3_busy=$(accepted "$RPORT_3")
curl -sf -X DELETE "$R3/_receiver/faults" >/dev/null
wait_for 30 "receiver 3 put back" grep -q "endpoint back.*127.0.0.1:$RPORT_3" "$T/a.log"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null

N=15000
# r1.ndjson may end in part of a line: receiver 1 died with -9, maybe inside a write.
distinct() { "$SF_BUILD/seqcheck" --crashed "$T/r1.ndjson" "$T/r2.ndjson" "$T/r3.ndjson" 2>/dev/null | sed -n 's/.*distinct=\([0-9]*\).*/\1/p'; }
complete() { alive; [ "$(distinct)" = "$N" ]; }
wait_for 60 "$N distinct logs across the receivers" complete
checkpoints_at_end() {
    emu GET /_emulator/stats | jq -e '[.projects[].logstores[] | .shards as $s | .consumer_groups[].shards[]
        | . as $c | ($s[] | select(.shardID == $c.shard) | .end_cursor) == $c.checkpoint] | length > 0 and all' >/dev/null
}
wait_for 30 "every checkpoint at its shard's end" checkpoints_at_end

mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
stop_slsfwd a
grep '^slsfwd_hec_endpoint' "$T/metrics.txt"
# metric NAME PORT [EXTRA-LABELS]: the sample of endpoint 127.0.0.1:PORT
metric() {
    awk -v m="$1{endpoint=\"127.0.0.1:$2\"${3:+,$3}}" '$1 == m {print $2}' "$T/metrics.txt"
}
for p in $RPORT_1 $RPORT_2 $RPORT_3; do
    [ "$(metric slsfwd_hec_endpoint_requests_total $p)" -gt 0 ] || fail "no requests counted for $p"
done
[ "$(metric slsfwd_hec_endpoint_healthy $RPORT_1)" = 0 ] || fail "the killed endpoint is not unhealthy"
[ "$(metric slsfwd_hec_endpoint_healthy $RPORT_2)" = 1 ] || fail "endpoint 2 is not healthy"
[ "$(metric slsfwd_hec_endpoint_healthy $RPORT_3)" = 1 ] || fail "endpoint 3 was not put back"
[ "$(metric slsfwd_hec_endpoint_takeouts_total $RPORT_1)" -ge 1 ] || fail "endpoint 1 never taken out"
[ "$(metric slsfwd_hec_endpoint_takeouts_total $RPORT_3)" -ge 1 ] || fail "endpoint 3 never taken out"
[ "$(metric slsfwd_hec_endpoint_probes_total $RPORT_3)" -ge 1 ] || fail "endpoint 3 never probed"
[ "$(metric slsfwd_hec_endpoint_errors_total $RPORT_3 'class="throttled"')" -ge 1 ] ||
    fail "no 503 counted for endpoint 3"
[ "$(metric slsfwd_hec_endpoint_errors_total $RPORT_1 'class="transport"')" -ge 1 ] ||
    fail "no transport error counted for endpoint 1"
[ "$(metric slsfwd_hec_endpoint_resends_total $RPORT_1)" -ge 1 ] ||
    fail "nothing of the killed endpoint was sent again"
[ "$(metric slsfwd_hec_endpoint_errors_total $RPORT_2 'class="transport"')" = 0 ] ||
    fail "errors counted on the healthy endpoint"
# Receiver 3 got requests again after it was put back.
[ "$(accepted "$RPORT_3")" -gt "$r3_busy" ] || fail "endpoint 3 got nothing after it was put back"
# Nothing goes to another endpoint's channel: each receiver saw one channel, its own.
for i in 1 2 3; do
    n=$(jq -r '._receiver_channel' "$T/r$i.ndjson" | sort -u | wc -l)
    [ "$n" -eq 1 ] || fail "receiver $i saw $n channels"
done
[ "$(cat "$T"/r[123].ndjson | jq -r '._receiver_channel' | sort -u | wc -l)" -eq 3 ] ||
    fail "the endpoints share a channel"

# Duplicates only from requests an endpoint did not confirm and that were sent again.
bound=0
for p in $RPORT_1 $RPORT_2 $RPORT_3; do
    bound=$((bound + $(metric slsfwd_hec_endpoint_resent_events_total $p)))
done
out=$(seqcheck --expect $N --max-dup "$bound" --crashed "$T/r1.ndjson" "$T/r2.ndjson" "$T/r3.ndjson") ||
    fail "$out (resent events: $bound)"
echo "$out resent_events=$bound"
grep -q "taken out" "$T/a.log" || fail "no take-out logged"
echo "PASS"

#!/usr/bin/env bash
# Two outputs under faults: every batch goes to Splunk HEC and to syslog at once. The syslog
# receiver reads slowly and pauses (its window stays full), HEC answers 503 and resets
# connections at random. Every log must arrive at both outputs, duplicates only as far as a
# resend explains them, and every shard's checkpoint must end at the shard's end. Before each
# sink held the batch through its own queue entry, the two sinks' queues shared one link:
# batches were skipped or confirmed twice, the run stalled or checkpoints passed undelivered
# data.
source "$SF_TESTS/lib.sh"

N=200000
SHARDS=4
start_emulator --project demo --logstore nginx --shards $SHARDS --generate nginx:$N
start_receiver --fault type=503,rate=0.1,retry_after=1 --fault type=reset,rate=0.05 --seed 7

"$SF_BUILD/slow_syslog" --out "$T/syslog.ndjson" --listen 127.0.0.1:0 --rcvbuf 16384 \
    --read-size 8192 --read-delay-us 300 --pause-every-ms 1500 --pause-ms 400 \
    >"$T/slow_syslog.out" 2>"$T/slow_syslog.log" &
PIDS+=($!)
sport=""
for _ in $(seq 1 100); do
    sport=$(sed -n 's/^slow_syslog listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/slow_syslog.out" 2>/dev/null || true)
    [ -n "$sport" ] && break
    sleep 0.1
done
[ -n "$sport" ] || fail "slow_syslog did not start"

PULL_COUNT=2 WORKERS=4 write_config "$T/a.yaml" "$T/out" nginx
printf '  syslog:\n    address: 127.0.0.1:%s\n' "$sport" >"$T/syslog-block"
sed -i "/^  hec:/e cat $T/syslog-block" "$T/a.yaml"
grep -q '^  syslog:' "$T/a.yaml" || fail "config: no syslog block"

start_slsfwd a "$T/a.yaml"
hec_distinct() { "$SF_BUILD/seqcheck" "$T/received.ndjson" 2>/dev/null | sed -n 's/.*distinct=\([0-9]*\).*/\1/p'; }
syslog_distinct() { "$SF_BUILD/seqcheck" "$T/syslog.ndjson" 2>/dev/null | sed -n 's/.*distinct=\([0-9]*\).*/\1/p'; }
both_complete() {
    kill -0 "$PID_a" 2>/dev/null || fail "slsfwd exited: $(tail -n 5 "$T/a.log")"
    [ "$(hec_distinct)" = "$N" ] && [ "$(syslog_distinct)" = "$N" ]
}
wait_for 150 "$N distinct logs at HEC and at syslog" both_complete

# Every shard's checkpoint reaches its end once both outputs confirmed everything.
checkpoints_at_end() {
    emu GET /_emulator/stats | jq -e '[.projects[].logstores[] | .shards as $s | .consumer_groups[].shards[]
        | . as $c | ($s[] | select(.shardID == $c.shard) | .end_cursor) == $c.checkpoint] | length > 0 and all' >/dev/null
}
wait_for 30 "every checkpoint at its shard's end" checkpoints_at_end

mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
metric() { awk -v m="$1" '$1 == m {print $2}' "$T/metrics.txt"; }
resent=$(metric slsfwd_syslog_resent_batches_total)
stop_slsfwd a

# Duplicates need a resend to explain them. HEC: a reset fault cuts the connection before the
# receiver records the request, so nothing is recorded twice. Syslog: only batches written again
# after a reconnect, each at most pull_count (2) LogGroups.
fired=$(rcv GET /stats | jq .faults.fired)
echo "HEC faults fired: $fired; syslog batches resent: ${resent:-?}"
[ "$fired" -gt 20 ] || fail "too few HEC faults fired to mean anything"
max_pull_logs=$((2 * $(emu GET /_emulator/stats | jq '[.projects[].logstores[].shards[] | .logs / .loggroups | ceil] | max')))
hec=$(seqcheck --expect $N --max-dup 0 "$T/received.ndjson") || fail "HEC: $hec"
echo "HEC: $hec"
syslog=$(seqcheck --expect $N --max-dup $((${resent:-0} * max_pull_logs)) "$T/syslog.ndjson") ||
    fail "syslog: $syslog (resent batches: $resent, up to $max_pull_logs logs each)"
echo "syslog: $syslog"
echo "duplicates: hec=$(sed -n 's/.*duplicates=\([0-9]*\).*/\1/p' <<<"$hec") syslog=$(sed -n 's/.*duplicates=\([0-9]*\).*/\1/p' <<<"$syslog")"
echo "PASS"

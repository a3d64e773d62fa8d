#!/usr/bin/env bash
# One memory budget that is honest (limits.max_buffered_bytes, docs/internals/pipeline.md): 64
# shards, indexer acknowledgement on. HEC first answers 503 to everything: the sinks take
# nothing, so pulls pause once an eighth of the budget waits for them. Then HEC accepts every
# request but acknowledges none: batches wait with the sink, taken, and the budget fills.
# Then the acknowledgements come. Sampled from /metrics all along: the charged bytes never
# exceed the budget, the budget does fill (so the bound is tested, not idle), pulls wait for
# room; slsfwd's peak RSS stays under the budget plus a fixed overhead; every log is
# delivered.
#
# The overhead allowed on top of the budget, 64 MiB: what does not grow with data or shards
# and is therefore not charged — the binary and its libraries (libcurl, OpenSSL: ~15 MB
# mapped), a TLS/HTTP context per fetch worker and source, thread stacks, ack/probe buffers,
# the shard records (64 x ~3 KiB), glibc's per-thread malloc arenas. slsfwd forwarding 20 000
# logs from 4 shards with the default config peaks at about 40 MB (bench/RESULTS.md).
source "$SF_TESTS/lib.sh"

BUDGET=$((32 << 20))
OVERHEAD=$((64 << 20))
LOGS=200000
start_emulator --project demo --logstore nginx --shards 64 --generate nginx:$LOGS
# An ackId turns true 20 s after its request was accepted (fixed then): longer than the phase
# below that holds them back.
start_receiver --ack --ack-delay-ms 20000 --fault type=503
HEC_EXTRA=$'ack: true\nack_poll_interval: 200ms\nack_timeout: 10m' \
    MAX_BUFFERED=32MiB WORKERS=2 write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)

# sample: one line "<sum of charged> <budget> <waits>" from /metrics, or nothing.
sample() {
    curl -sf --max-time 5 "http://127.0.0.1:$mport/metrics" | awk '
        /^slsfwd_memory_charged_bytes\{/ { sum += $NF; n++ }
        /^slsfwd_memory_budget_bytes /   { budget = $NF }
        /^slsfwd_memory_budget_waits_total / { waits = $NF }
        END { if (n == 5 && budget > 0) printf "%.0f %.0f %.0f\n", sum, budget, waits }'
}
peak=0
check() {
    local line sum budget waits
    line=$(sample) || true
    [ -n "$line" ] || fail "no slsfwd_memory_* samples on /metrics"
    read -r sum budget waits <<<"$line"
    [ "$budget" -eq "$BUDGET" ] || fail "slsfwd_memory_budget_bytes is $budget, expected $BUDGET"
    [ "$sum" -le "$budget" ] || fail "charged $sum bytes, over the budget of $budget"
    [ "$sum" -gt "$peak" ] && peak=$sum
    WAITS=$waits
    true
}

# HEC down: the sinks take nothing; pulls pause with the queue, well within the budget.
end=$(($(date +%s) + 5))
while [ "$(date +%s)" -lt "$end" ]; do
    check
    sleep 0.2
done
[ "$(received)" -eq 0 ] || fail "the receiver accepted events while answering 503"

# HEC accepts but does not acknowledge: taken batches pile up until the budget is full, then
# pulls wait.
rcv DELETE /faults >/dev/null
end=$(($(date +%s) + 12))
while [ "$(date +%s)" -lt "$end" ]; do
    check
    sleep 0.2
done
[ "$peak" -ge $((BUDGET / 2)) ] || fail "the budget never filled with acks held back (peak $peak)"
[ "${WAITS%.*}" -gt 0 ] || fail "no pull waited for room with acks held back"
[ "$(received)" -lt "$LOGS" ] || fail "every log went out before the budget was tested"

# The acknowledgements come (the first ones within 8 s; requests from now on at once):
# everything is confirmed, still within the budget.
rcv POST '/config?ack_delay_ms=0' >/dev/null
end=$(($(date +%s) + 120))
while [ "$(received)" -lt "$LOGS" ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "only $(received) of $LOGS events within 120 s"
    check
    sleep 0.2
done
check
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$PID_a/status")
stop_slsfwd a
echo "peak charged $peak bytes of $BUDGET; peak RSS $((rss_kb / 1024)) MiB"
# A ThreadSanitizer or AddressSanitizer build maps shadow memory (and ASan keeps freed memory in
# quarantine): RSS says nothing there
# (the accounting checks above still ran).
if ! grep -qaE "__tsan_init|__asan_init" "$SF_BUILD/slsfwd"; then
    [ $((rss_kb * 1024)) -le $((BUDGET + OVERHEAD)) ] ||
        fail "peak RSS $((rss_kb / 1024)) MiB is over the budget + overhead ($(((BUDGET + OVERHEAD) >> 20)) MiB)"
fi
seqcheck --expect $LOGS "$T/received.ndjson"
echo "PASS"

#!/usr/bin/env bash
# The sink stalls (a FIFO nobody reads): fetching stops at max_buffered_bytes, checkpoints stop
# advancing, and when the reader appears delivery resumes and every log arrives.
source "$SF_TESTS/lib.sh"

MAX_BUFFERED=16MiB
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:30000
mkfifo "$T/fifo"
write_config "$T/a.yaml" "$T/fifo" nginx
start_slsfwd a "$T/a.yaml" --log-level debug
sleep 4
checkpoints() {
    emu GET /_emulator/stats | jq -c '[.projects[].logstores[].consumer_groups[].shards[] | .checkpoint]'
}
before=$(checkpoints)
sleep 3
after=$(checkpoints)
[ "$before" = "$after" ] || fail "checkpoints moved while nothing was delivered: $before -> $after"
echo "checkpoints held at $after while the sink stalled"
cat "$T/fifo" >"$T/a.ndjson" &
PIDS+=($!)
wait_for 60 "all 30000 logs" lines_at_least 30000 "$T/a.ndjson"
stop_slsfwd a
seqcheck --expect 30000 --max-dup 0 "$T/a.ndjson"
peak=$(sed -n 's/.*peak_buffered_bytes=\([0-9]*\).*/\1/p' "$T/a.log" | tail -1)
limit=$((16 * 1024 * 1024))
# Everything is charged before it is allocated (docs/internals/pipeline.md): never over.
[ "$peak" -le "$limit" ] || fail "peak buffered $peak bytes, budget $limit"
echo "peak buffered bytes $peak (budget $limit)"
echo "PASS"

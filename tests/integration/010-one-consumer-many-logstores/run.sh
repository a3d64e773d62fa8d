#!/usr/bin/env bash
# One process, two logstores (4 + 2 shards): every log delivered exactly once, shards released
# on SIGTERM with their final checkpoints committed.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 4 --generate nginx:20000 \
    --logstore audit --shards 2 --generate actiontrail:3000
total=$(( $(emu_logs nginx) + $(emu_logs audit) ))
[ "$total" -eq 23000 ] || fail "emulator holds $total logs, expected 23000"

write_config "$T/a.yaml" "$T/out.ndjson" nginx audit
start_slsfwd a "$T/a.yaml"
wait_for 60 "all $total logs" lines_at_least "$total" "$T/out.ndjson"
sleep 2 # let a duplicate, if any were coming, arrive
stop_slsfwd a

seqcheck --expect "$total" --max-dup 0 "$T/out.ndjson"
[ "$(count_lines "$T/out.ndjson")" -eq "$total" ] || fail "duplicates in output"
# Every shard's checkpoint is at its end, and nobody holds a shard any more.
emu GET /_emulator/stats >"$T/stats.json"
lagging=$(jq '[.projects[].logstores[] | .shards as $s | .consumer_groups[]? | .shards[]? | select(.checkpoint == null or .checkpoint == "")] | length' "$T/stats.json")
[ "$lagging" -eq 0 ] || fail "$lagging shards without a checkpoint"
grep -q 'msg="left the consumer group: .* source=demo/nginx' "$T/a.log" || fail "no leave at stop"
grep -q 'events_delivered=23000' "$T/a.log" || fail "summary does not count 23000 delivered events"
echo "PASS"

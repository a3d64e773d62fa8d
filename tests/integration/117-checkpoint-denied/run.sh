#!/usr/bin/env bash
# The RAM policy lacks ConsumerGroupUpdateCheckPoint (403 Unauthorized on every commit) and
# ListShards: each refused commit is an error line naming the permission to grant; a shard
# revoked by a rebalance still leaves the heartbeat, uncommitted, so the new owner gets it
# (and reads again from the last checkpoint: duplicates, no loss); ListShards is warned about
# once and retried with a growing delay.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=6s
HEARTBEAT=1s
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000
write_config "$T/a.yaml" "$T/a.ndjson" nginx
write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "4000 logs" lines_at_least 4000 "$T/a.ndjson"
emu POST /_emulator/faults -d 'api=ConsumerGroupUpdateCheckPoint,type=denied' >/dev/null
emu POST /_emulator/faults -d 'api=ListShards,type=denied' >/dev/null
# Delivered but not committable: a's revoked shard has something to commit.
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
wait_for 60 "5000 logs" lines_at_least 5000 "$T/a.ndjson"
wait_for 20 "a refused commit" grep -q 'ConsumerGroupUpdateCheckPoint' "$T/a.log"
start_slsfwd b "$T/b.yaml"
one_each() {
    [ "$(curl -sf "$EMU/_emulator/stats" | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | (.shards | length)] | sort | join(",")')" = 1,1 ]
}
# Well before the group timeout would expel a: the revoked shard left a's heartbeat.
wait_for 15 "a to hand one shard to b" one_each
grep -q 'shard released without its final checkpoint' "$T/a.log" || fail "no word of the uncommitted release"
# Let b try ListShards a few times.
wait_for 60 "ListShards refused 4 times" bash -c "[ \"\$(curl -sf $EMU/_emulator/faults | jq '.[1].fired')\" -ge 4 ]"

grep 'level=error' "$T/a.log" | grep -q 'log:ConsumerGroupUpdateCheckPoint' ||
    fail "the refused commit was not an error line naming log:ConsumerGroupUpdateCheckPoint"
n=$(grep 'level=warn' "$T/b.log" | grep -c 'ListShards' || true)
[ "$n" -eq 1 ] || fail "b warned $n times about the refused ListShards, expected once"
grep 'ListShards' "$T/b.log" | grep -q 'log:ListShards' || fail "the ListShards warning names no permission"

emu DELETE /_emulator/faults >/dev/null
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "all 7000 logs" bash -c "\"$SF_BUILD/seqcheck\" --expect 7000 $T/a.ndjson $T/b.ndjson >/dev/null 2>&1"
stop_slsfwd a
stop_slsfwd b
seqcheck --expect 7000 "$T/a.ndjson" "$T/b.ndjson"
echo "PASS"

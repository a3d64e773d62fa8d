#!/usr/bin/env bash
# Heartbeats fail for longer than the group timeout (a network flap): the consumer drops every
# shard, rejoins with an empty heartbeat when SLS answers again, and then delivers everything
# (python-sdk#120 was a consumer that kept reporting stale shards forever).
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=3s
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "4000 logs" lines_at_least 4000 "$T/a.ndjson"
id=$(emu POST /_emulator/faults -d 'api=ConsumerGroupHeartBeat,type=503,rate=1' | jq .id)
wait_for 20 "the consumer to drop its shards" grep -q 'dropped every shard, rejoining' "$T/a.log"
emu DELETE "/_emulator/faults/$id" >/dev/null
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "all 6000 logs" bash -c "\"$SF_BUILD/seqcheck\" --expect 6000 $T/a.ndjson >/dev/null 2>&1"
stop_slsfwd a
grep -q 'msg="heartbeat failed"' "$T/a.log" || fail "heartbeat failures were not logged"
grep -q 'msg="shard granted"' "$T/a.log" || fail "no rejoin"
seqcheck --expect 6000 "$T/a.ndjson"
echo "PASS"

#!/usr/bin/env bash
# A consumer the service has forgotten (as after a missed group timeout) but that does not
# know it yet must not overwrite the new owner's checkpoint: slsfwd commits with
# forceSuccess=false, as the Java consumer library does, so the emulator (which lets
# forceSuccess=true through without an ownership check) refuses the stale commit and the
# stale consumer stops the shard.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=150s
start_emulator --project demo --logstore nginx --shards 1
cg_json() { emu GET /_emulator/stats | jq -c '.projects[].logstores[].consumer_groups[0]'; }
HEARTBEAT=50s write_config "$T/a.yaml" "$T/a.ndjson" nginx # a learns of the expiry late
HEARTBEAT=1s write_config "$T/b.yaml" "$T/b.ndjson" nginx
SLSFWD_SLS_CONSUMER_NAME=it-a start_slsfwd a "$T/a.yaml"
wait_for 30 "a to own shard 0" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -c '.projects[].logstores[].consumer_groups[0].shards[0].owner')\" = '\"it-a\"' ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
wait_for 60 "1000 logs at a" lines_at_least 1000 "$T/a.ndjson"
wait_for 30 "a's checkpoint" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '.projects[].logstores[].consumer_groups[0].shards[0].checkpoint_consumer')\" = it-a ]"

emu POST "/_emulator/projects/demo/logstores/nginx/consumergroups/it-cg/expire?consumer=it-a" >/dev/null
SLSFWD_SLS_CONSUMER_NAME=it-b start_slsfwd b "$T/b.yaml"
wait_for 30 "b to own shard 0" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -c '.projects[].logstores[].consumer_groups[0].shards[0].owner')\" = '\"it-b\"' ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
# a still believes it owns shard 0 until its next heartbeat (50 s): it reads the new data
# too and tries to commit it. That commit must be refused, not accepted.
wait_for 30 "a's stale commit to be refused" grep -q 'checkpoint refused: shard no longer ours' "$T/a.log"
wait_for 60 "the 1000 new logs at b" lines_at_least 1000 "$T/b.ndjson"
stop_slsfwd a
stop_slsfwd b
# Only b committed after the expiry: the group's checkpoint is b's.
[ "$(cg_json | jq -r '.shards[0].checkpoint_consumer')" = it-b ] || fail "last commit not b's: $(cg_json)"
seqcheck --expect 2000 "$T/a.ndjson" "$T/b.ndjson"
echo "PASS"

#!/usr/bin/env bash
# At SIGTERM slsfwd delivers and commits, then simply stops heartbeating, as every official
# consumer does: no final [] heartbeat, whose meaning the service does not document (it may
# count the consumer as alive with no shards and hand it more). The shards stay the
# consumer's on the server until the group timeout.
source "$SF_TESTS/lib.sh"

HEARTBEAT=30s # one heartbeat (the join) before the stop, so any extra one shows
GROUP_TIMEOUT=90s
start_emulator --project demo --logstore nginx --shards 2
consumer() { emu GET /_emulator/stats | jq -c '.projects[].logstores[].consumer_groups[0].consumers[] | select(.name == "it-a")'; }
heartbeats() { emu GET /_emulator/stats | jq '.requests.ConsumerGroupHeartBeat // 0'; }
write_config "$T/a.yaml" "$T/a.ndjson" nginx
SLSFWD_SLS_CONSUMER_NAME=it-a start_slsfwd a "$T/a.yaml"
wait_for 30 "a to own both shards" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -c '.projects[].logstores[].consumer_groups[0].consumers[] | select(.name == \"it-a\") | .shards')\" = '[0,1]' ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "2000 logs" lines_at_least 2000 "$T/a.ndjson"
before=$(heartbeats)
stop_slsfwd a
after=$(heartbeats)
echo "heartbeats: $before before the stop, $after after; consumer on the server: $(consumer)"
[ "$after" -eq "$before" ] || fail "slsfwd sent $((after - before)) heartbeat(s) while stopping"
[ "$(consumer | jq -c .shards)" = "[0,1]" ] || fail "the shards left a before the group timeout"
# The stop committed the end of both shards, as a.
for s in 0 1; do
    end=$(emu GET /_emulator/stats | jq -r ".projects[].logstores[].shards[$s].end_cursor")
    cp=$(emu GET /_emulator/stats | jq -r ".projects[].logstores[].consumer_groups[0].shards[$s] | .checkpoint_consumer + \" \" + .checkpoint")
    [ "$cp" = "it-a $end" ] || fail "shard $s: checkpoint '$cp', want 'it-a $end'"
done
seqcheck --expect 2000 --max-dup 0 "$T/a.ndjson"
echo "PASS"

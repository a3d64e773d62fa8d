#!/usr/bin/env bash
# A shard lost while its last pull is in flight stays lost: when that pull comes back
# caught up at the end of a read-only shard, the shard must not turn FINISHED again (it
# would be reported in heartbeats, committed and released as if it were still ours).
source "$SF_TESTS/lib.sh"

ORDER=true # only the read-only parent is assignable: one shard to watch
start_emulator --project demo --logstore nginx --shards 1 --generate nginx:200
emu POST /_emulator/projects/demo/logstores/nginx/shards/0/split >/dev/null
emu POST /_emulator/faults -d 'api=PullLogs,type=latency,ms=5000' >/dev/null
write_config "$T/a.yaml" "$T/a.ndjson" nginx
SLSFWD_SLS_CONSUMER_NAME=it-a start_slsfwd a "$T/a.yaml"
wait_for 60 "the parent's 200 logs" lines_at_least 200 "$T/a.ndjson"
# The next pull (5 s) will find the parent's end. Meanwhile the service forgets a: its next
# heartbeat (1 s) is refused and it drops the shard while that pull is still in flight.
emu POST "/_emulator/projects/demo/logstores/nginx/consumergroups/it-cg/expire?consumer=it-a" >/dev/null
wait_for 30 "the dropped record to be retired" grep -qE 'msg="shard dropped" source=demo/nginx shard=0 |msg="shard dropped -> finished"' "$T/a.log"
emu DELETE /_emulator/faults >/dev/null
stop_slsfwd a
grep -q 'msg="shard running -> dropped" source=demo/nginx shard=0 ' "$T/a.log" || fail "the shard was not dropped during the pull"
if grep -q 'msg="shard dropped -> finished"' "$T/a.log"; then
    fail "a caught-up pull turned a dropped shard back into finished"
fi
echo "PASS"

#!/usr/bin/env bash
# SIGTERM drains and commits, then stops heartbeating (no final [] heartbeat, like the
# official consumers): the other consumer takes the shards once the group timeout has passed
# (about group_timeout + heartbeat_interval), resumes at the committed checkpoints, and
# nothing is duplicated. A short group_timeout is what makes the hand-off fast.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=4s
HEARTBEAT=1s
start_emulator --project demo --logstore nginx --shards 4
write_config "$T/a.yaml" "$T/a.ndjson" nginx
write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd a "$T/a.yaml"
start_slsfwd b "$T/b.yaml"
wait_for 30 "2 shards each" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | (.shards | length)] | sort | join(\",\")')\" = 2,2 ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=8000" >/dev/null
wait_for 60 "8000 logs" lines_at_least 8000 "$T/a.ndjson" "$T/b.ndjson"
stopped_at=$(date +%s%N)
stop_slsfwd a
wait_for 20 "b to own all 4 shards" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | select((.shards | length) == 4)] | length')\" = 1 ]"
handed_ms=$((($(date +%s%N) - stopped_at) / 1000000))
echo "handed over ${handed_ms} ms after SIGTERM (group timeout 4s, heartbeat 1s)"
# a's last heartbeat was at most one interval before the stop: expiry needs >= 3 s.
[ "$handed_ms" -ge 2800 ] || fail "handed over in ${handed_ms} ms: before the group timeout"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "all 10000 logs" lines_at_least 10000 "$T/a.ndjson" "$T/b.ndjson"
sleep 2
stop_slsfwd b
seqcheck --expect 10000 --max-dup 0 "$T/a.ndjson" "$T/b.ndjson"
echo "PASS"

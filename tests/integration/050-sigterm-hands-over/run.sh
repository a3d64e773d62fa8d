#!/usr/bin/env bash
# SIGTERM drains, commits and releases at once: the other consumer takes the shards long
# before the 60 s group timeout, and nothing is duplicated.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=60s
HEARTBEAT=1s
start_emulator --project demo --logstore nginx --shards 4
write_config "$T/a.yaml" "$T/a.ndjson" nginx
write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd a "$T/a.yaml"
start_slsfwd b "$T/b.yaml"
wait_for 30 "2 shards each" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | (.shards | length)] | sort | join(\",\")')\" = 2,2 ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=8000" >/dev/null
wait_for 60 "8000 logs" lines_at_least 8000 "$T/a.ndjson" "$T/b.ndjson"
stopped_at=$SECONDS
stop_slsfwd a
wait_for 20 "b to own all 4 shards" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | select((.shards | length) == 4)] | length')\" = 1 ]"
echo "handed over $((SECONDS - stopped_at))s after SIGTERM (group timeout 60s)"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "all 10000 logs" lines_at_least 10000 "$T/a.ndjson" "$T/b.ndjson"
sleep 2
stop_slsfwd b
seqcheck --expect 10000 --max-dup 0 "$T/a.ndjson" "$T/b.ndjson"
echo "PASS"

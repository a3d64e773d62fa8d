#!/usr/bin/env bash
# A shard split while it still holds unread data, in a group with order=true: the parent is
# read to its end, its final checkpoint committed and the shard released; only then are the
# children granted and started. Every log arrives exactly once.
source "$SF_TESTS/lib.sh"

ORDER=true
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:6000
emu POST /_emulator/projects/demo/logstores/nginx/shards/0/split >"$T/split.json"
children=$(jq -r '.children | join(",")' "$T/split.json")
echo "split shard 0 into $children before anyone read it"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=4000" >/dev/null
PULL_COUNT=5 # several pulls for the parent's remaining data
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "all 10000 logs" lines_at_least 10000 "$T/a.ndjson"
wait_for 30 "parent shard 0 over" bash -c "curl -sf $EMU/_emulator/stats | jq -e '[.projects[].logstores[].consumer_groups[].shards[] | select(.shard == 0 and .state == \"over\")] | length == 1' >/dev/null"
sleep 2
stop_slsfwd a
seqcheck --expect 10000 --max-dup 0 "$T/a.ndjson"
# The parent was finished and released before a child was started.
released=$(grep -n 'msg="shard released" source=demo/nginx shard=0 ' "$T/a.log" | head -1 | cut -d: -f1)
first_child=$(grep -nE "msg=\"shard started\" source=demo/nginx shard=(${children/,/|}) " "$T/a.log" | head -1 | cut -d: -f1)
[ -n "$released" ] && [ -n "$first_child" ] || fail "no release of the parent or no start of a child in the log"
[ "$released" -lt "$first_child" ] || fail "a child started before the parent was released"
grep -q 'msg="shard running -> finished" source=demo/nginx shard=0 ' "$T/a.log" || fail "parent not read to its end"
echo "PASS"

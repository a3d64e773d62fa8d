#!/usr/bin/env bash
# A read-only shard whose unread data expired: the checkpoint points before the retained
# range (InvalidCursor), the shard restarts at its oldest retained data - which is its end -
# and that end must be committed too. Otherwise the parent never becomes `over` and, with
# order=true, its children never start.
source "$SF_TESTS/lib.sh"

ORDER=true
start_emulator --project demo --logstore nginx --shards 1 --generate nginx:2000
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "2000 logs" lines_at_least 2000 "$T/a.ndjson"
stop_slsfwd a
# While nobody reads: 1000 more logs, then a split (shard 0 turns read-only with those logs
# unread), then every log of shard 0 expires.
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
emu POST /_emulator/projects/demo/logstores/nginx/shards/0/split >"$T/split.json"
children=$(jq -r '.children | join(",")' "$T/split.json")
sleep 2.5 # receive times are whole seconds
emu POST "/_emulator/retention?seconds=1" >"$T/retention.json"
emu POST "/_emulator/retention?seconds=0" >/dev/null
echo "split into $children; retention: $(cat "$T/retention.json")"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=500" >/dev/null

write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd b "$T/b.yaml"
wait_for 60 "shard 0 over" bash -c "curl -sf $EMU/_emulator/stats | jq -e '[.projects[].logstores[].consumer_groups[].shards[] | select(.shard == 0 and .state == \"over\")] | length == 1' >/dev/null"
wait_for 60 "the children's 500 logs" lines_at_least 500 "$T/b.ndjson"
sleep 1
stop_slsfwd b
grep -q 'checkpoint points into expired data' "$T/b.log" || fail "no reset of shard 0"
grep -qE "msg=\"shard started\" source=demo/nginx shard=(${children/,/|}) " "$T/b.log" || fail "no child started"
result=$(seqcheck --expect 500 --max-dup 0 "$T/b.ndjson")
echo "$result"
echo "$result" | grep -q 'min=3001 max=3500' || fail "not the children's logs"
echo "PASS"

#!/usr/bin/env bash
# A checkpoint that points into expired data (retention) gets InvalidCursor: the shard
# restarts at the oldest retained data with a loud warning, and everything retained arrives.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 1 --generate nginx:2000
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "2000 logs" lines_at_least 2000 "$T/a.ndjson"
stop_slsfwd a
# The stop committed the end of the first data. 1000 logs arrive while nobody reads, then
# expire; 500 more arrive after them: the checkpoint now points before the retained range.
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
sleep 2.5 # receive times are whole seconds
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=500" >/dev/null
emu POST "/_emulator/retention?seconds=1" >"$T/retention.json"
# Keep the 500: b takes the shard only once a's membership has timed out (a left without
# a farewell heartbeat), seconds from now.
emu POST "/_emulator/retention?seconds=0" >/dev/null
echo "retention: $(cat "$T/retention.json")"
write_config "$T/b.yaml" "$T/b.ndjson" nginx
start_slsfwd b "$T/b.yaml"
wait_for 60 "the 500 retained logs" lines_at_least 500 "$T/b.ndjson"
sleep 1
stop_slsfwd b
grep -q 'checkpoint points into expired data' "$T/b.log" || fail "no loud warning about the reset"
grep -q 'cursor_resets=1' "$T/b.log" || fail "reset not counted"
result=$(seqcheck --max-dup 0 "$T/b.ndjson")
echo "$result"
[ "$(count_lines "$T/b.ndjson")" -eq 500 ] || fail "expected exactly the 500 retained logs"
echo "$result" | grep -q 'min=3001 max=3500' || fail "not the retained logs"
echo "PASS"

#!/usr/bin/env bash
# SIGTERM while every PullLogs hangs for 60 s: the pulls in flight are abandoned at once, so
# the stop (drain, commit, leave) takes seconds, not sls.timeout; and what those pulls would
# have returned is read again by the next run: nothing is lost.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:2000
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "2000 logs" lines_at_least 2000 "$T/a.ndjson"
id=$(emu POST /_emulator/faults -d 'api=PullLogs,type=latency,ms=60000' | jq .id)
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
# Both shards have a pull hanging in the emulator.
wait_for 30 "two hanging pulls" bash -c "[ \"\$(curl -sf $EMU/_emulator/faults | jq '.[0].fired')\" -ge 2 ]"
sleep 1
started=$(date +%s%N)
stop_slsfwd a
took_ms=$((($(date +%s%N) - started) / 1000000))
echo "stopped ${took_ms} ms after SIGTERM with pulls hanging"
[ "$took_ms" -lt 10000 ] || fail "the stop waited ${took_ms} ms for hanging pulls"
grep -q 'msg="pull failed"' "$T/a.log" && fail "an abandoned pull was logged as a failure"
emu DELETE "/_emulator/faults/$id" >/dev/null
start_slsfwd a "$T/a.yaml"
wait_for 60 "all 3000 logs" lines_at_least 3000 "$T/a.ndjson"
stop_slsfwd a
seqcheck --expect 3000 "$T/a.ndjson"
echo "PASS"

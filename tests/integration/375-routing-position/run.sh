#!/usr/bin/env bash
# Position fields survive a crash: consumer a (2 LogGroups per pull) is killed with -9 while
# logs keep arriving and its last commits fail; b (7 per pull, so its pulls start and end elsewhere) takes a's shards
# from a's last checkpoint and sends a's uncommitted logs again. Every duplicate at the
# receiver must carry the same sls_position and sls_shard as its first copy, and distinct
# logs distinct positions, so `| dedup sls_position` in Splunk keeps each log once.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=4s
CHECKPOINT=1s
start_emulator --project demo --logstore nginx --shards 4
start_receiver
PULL_COUNT=2 write_config "$T/a.yaml" "$T/a.out" nginx
PULL_COUNT=7 write_config "$T/b.yaml" "$T/b.out" nginx
for f in a b; do
    printf 'mapping:\n  position_fields: true\n' >>"$T/$f.yaml"
done
start_slsfwd a "$T/a.yaml"
start_slsfwd b "$T/b.yaml"
holders='[.projects[].logstores[].consumer_groups[].consumers[] | select((.shards | length) > 0)] | length'
wait_for 30 "both consumers with shards" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq '$holders')\" = 2 ]"

# Logs keep arriving, so a always has delivered logs it has not committed yet. The loop stops
# at a file rather than a kill: a killed subshell leaves its curl running, and a POST that
# lands after the count below makes the expected total wrong.
(
    while [ ! -e "$T/gen.stop" ]; do
        curl -sf -X POST "$EMU/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=200" >/dev/null || true
        sleep 0.1
    done
) &
GEN_PID=$!
PIDS+=("$GEN_PID")
wait_for 60 "3000 events at the receiver" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 3000 ]"
# Checkpoint commits fail for a while before the kill, so a certainly dies with delivered logs
# it has not committed (a commit every second alone leaves that to chance).
emu POST /_emulator/faults -d 'api=ConsumerGroupUpdateCheckPoint,type=503' >/dev/null
before=$(received)
wait_for 60 "2000 more events while commits fail" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge $((before + 2000)) ]"
kill -9 "$PID_a"
emu DELETE /_emulator/faults >/dev/null
# b's consumer name ends with its pid (<group>-<host>-<pid>).
b_shards="[.projects[].logstores[].consumer_groups[].consumers[] | select(.name | endswith(\"-$PID_b\")) | .shards | length] | add"
wait_for 60 "b to hold every shard" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq '$b_shards')\" = 4 ]"
sleep 1
touch "$T/gen.stop"
wait "$GEN_PID" 2>/dev/null || true
total=$(emu_logs nginx)
wait_for 90 "all $total logs" bash -c "\"$SF_BUILD/seqcheck\" --expect $total $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd b
result=$(seqcheck --expect "$total" "$T/received.ndjson")
echo "$result"
dups=$(echo "$result" | sed -n 's/.*duplicates=\([0-9]*\).*/\1/p')
[ "$dups" -gt 0 ] || fail "no duplicates: the kill did not land inside a's uncommitted window"

jq -c '{seq: .event.seq, shard: .fields.sls_shard, pos: .fields.sls_position}' "$T/received.ndjson" >"$T/keys.ndjson"
# (Each check writes its findings to a file: a pipe into head would end jq early.)
jq -c 'select((.pos | type) != "string" or (.pos | test("^demo/nginx/[0-9]+/[0-9]+/[0-9]+$") | not)
    or (.pos | split("/")[2]) != .shard)' "$T/keys.ndjson" >"$T/malformed.ndjson"
[ ! -s "$T/malformed.ndjson" ] ||
    fail "events without a well-formed position: $(sed -n 1,3p "$T/malformed.ndjson")"
# One position per log, and one log per position.
jq -s -c 'group_by(.seq) | map(select((map(.pos) | unique | length) > 1)) | .[]' "$T/keys.ndjson" >"$T/split.ndjson"
[ ! -s "$T/split.ndjson" ] ||
    fail "$(wc -l <"$T/split.ndjson") logs delivered twice with different positions: $(sed -n 1,3p "$T/split.ndjson")"
jq -s -c 'group_by(.pos) | map(select((map(.seq) | unique | length) > 1)) | .[]' "$T/keys.ndjson" >"$T/shared.ndjson"
[ ! -s "$T/shared.ndjson" ] ||
    fail "distinct logs with the same position: $(sed -n 1,3p "$T/shared.ndjson")"
positions=$(jq -s 'map(.pos) | unique | length' "$T/keys.ndjson")
[ "$positions" -eq "$total" ] || fail "$positions distinct positions for $total logs"
echo "duplicates=$dups, each with its first copy's position; $positions positions for $total logs"
echo "PASS"

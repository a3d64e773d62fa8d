#!/usr/bin/env bash
# kill -9 one of three consumers mid-run: after the group timeout its shards move to the
# others, which resume at its last checkpoints. Every log arrives; duplicates are possible only
# within the killed consumer's uncommitted window, and are counted. c's file may end in part of
# a line (the kill can land inside a write): seqcheck --crashed skips that torn tail.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=4s
on_fail() { # which logs are missing, from which shard, and how each output file ends
    "$SF_BUILD/seqcheck" --expect 12000 --missing "$T/a.ndjson" "$T/b.ndjson" --crashed "$T/c.ndjson" 2>&1 | head -20
    for f in "$T"/[abc].ndjson; do
        echo "$f: $(count_lines "$f") lines, ends with: $(tail -c 60 "$f" | od -An -c | tr -s ' ' | tail -n 2)"
    done
    for name in a b; do # what each survivor pulled and delivered, and whether it is stuck
        local port
        port=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/$name.log" | head -n 1)
        echo "$name /metrics:"
        curl -sf -m 5 "http://127.0.0.1:$port/metrics" |
            grep -E '^slsfwd_(events_(in|out)_total|pulls_total|pull_errors_total|buffered_bytes|memory_budget_waits_total|shard_in_flight_batches|shard_events_out_total)' | head -30
    done
    curl -sf -m 5 "$EMU/_emulator/stats" | jq -c '.projects[].logstores[] | {shards: [.shards[] | {shardID, logs_total}], groups: [.consumer_groups[] | {consumers: [.consumers[] | {name, shards, last_heartbeat_ms_ago}], shards: [.shards[] | {shard, state, owner, checkpoint}]}]}' 2>&1 | head -c 3000
}
start_emulator --project demo --logstore nginx --shards 6
for name in a b c; do
    write_config "$T/$name.yaml" "$T/$name.ndjson" nginx
    start_slsfwd "$name" "$T/$name.yaml"
done
wait_for 30 "three consumers with shards" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq '[.projects[].logstores[].consumer_groups[].consumers[] | select((.shards | length) > 0)] | length')\" = 3 ]"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=6000" >/dev/null
wait_for 30 "c to deliver something" lines_at_least 1 "$T/c.ndjson"
kill -9 "$PID_c"
killed_at=$SECONDS
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=6000" >/dev/null
wait_for 60 "all 12000 logs" bash -c "\"$SF_BUILD/seqcheck\" --expect 12000 $T/a.ndjson $T/b.ndjson --crashed $T/c.ndjson >/dev/null 2>&1"
echo "recovered $((SECONDS - killed_at))s after the kill"
stop_slsfwd a
stop_slsfwd b
result=$(seqcheck --expect 12000 "$T/a.ndjson" "$T/b.ndjson" --crashed "$T/c.ndjson")
echo "$result"
dups=$(echo "$result" | sed -n 's/.*duplicates=\([0-9]*\).*/\1/p')
c_lines=$(count_lines "$T/c.ndjson")
# Duplicates can only be logs c wrote but had not committed yet.
[ "$dups" -le "$c_lines" ] || fail "$dups duplicates exceed what the killed consumer wrote ($c_lines)"
echo "duplicates=$dups (within c's uncommitted window; c wrote $c_lines)"
echo "PASS"

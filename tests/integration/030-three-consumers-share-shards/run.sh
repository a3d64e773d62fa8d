#!/usr/bin/env bash
# Three processes in one group share 6 shards evenly, and every log is delivered.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 6
for name in a b c; do
    write_config "$T/$name.yaml" "$T/$name.ndjson" nginx
    start_slsfwd "$name" "$T/$name.yaml"
done
# Let the group settle before data arrives, then produce while they run.
held() {
    emu GET /_emulator/stats | jq '[.projects[].logstores[].consumer_groups[].consumers[] | (.shards | length)] | sort | join(",")' -r
}
wait_for 30 "2 shards per consumer" bash -c "[ \"\$(curl -sf $EMU/_emulator/stats | jq -r '[.projects[].logstores[].consumer_groups[].consumers[] | (.shards | length)] | sort | join(\",\")')\" = 2,2,2 ]"
for _ in 1 2 3 4; do
    emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
    sleep 0.5
done
wait_for 60 "all 12000 logs" lines_at_least 12000 "$T/a.ndjson" "$T/b.ndjson" "$T/c.ndjson"
for name in a b c; do
    n=$(count_lines "$T/$name.ndjson")
    [ "$n" -gt 0 ] || fail "consumer $name delivered nothing: shards not spread"
    echo "consumer $name delivered $n"
done
echo "assignment: $(held)"
for name in a b c; do stop_slsfwd "$name"; done
seqcheck --expect 12000 "$T/a.ndjson" "$T/b.ndjson" "$T/c.ndjson"
echo "PASS"

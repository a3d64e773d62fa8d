#!/usr/bin/env bash
# A clean stop commits everything; a restart resumes at the checkpoints: new data only, no
# duplicate at all.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 3 --generate nginx:9000
write_config "$T/a.yaml" "$T/first.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 60 "first 9000 logs" lines_at_least 9000 "$T/first.ndjson"
stop_slsfwd a

emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=4000" >/dev/null
write_config "$T/b.yaml" "$T/second.ndjson" nginx
start_slsfwd b "$T/b.yaml"
wait_for 60 "the 4000 new logs" lines_at_least 4000 "$T/second.ndjson"
sleep 2
stop_slsfwd b

[ "$(count_lines "$T/second.ndjson")" -eq 4000 ] || fail "second run delivered $(count_lines "$T/second.ndjson") logs, expected exactly the 4000 new ones"
seqcheck --expect 13000 --max-dup 0 "$T/first.ndjson" "$T/second.ndjson"
grep -q 'from=checkpoint' "$T/b.log" || fail "second run did not start from the checkpoints"
echo "PASS"

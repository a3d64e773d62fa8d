#!/usr/bin/env bash
# sls.end_time: each shard is read up to the data received at that time, then finished (its
# checkpoint committed at the end cursor); later data is not delivered.
source "$SF_TESTS/lib.sh"

# Start-up data is spread over the last 300 s of receive times; end half-way.
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000 --spread-seconds 300
end=$(( $(date +%s) - 150 ))
write_config "$T/a.yaml" "$T/a.ndjson" nginx
sed -i "s/^  consumer_group: .*/&\n  end_time: $end/" "$T/a.yaml"
start_slsfwd a "$T/a.yaml"
wait_for 60 "both shards finished" bash -c "[ \$(grep -c 'msg=\"shard running -> finished\"' $T/a.log) -eq 2 ]"
sleep 2
stop_slsfwd a
n=$(count_lines "$T/a.ndjson")
echo "delivered $n of 4000 (end_time half-way through the data)"
[ "$n" -gt 1000 ] && [ "$n" -lt 3000 ] || fail "expected about half of the logs, got $n"
seqcheck --max-dup 0 "$T/a.ndjson"
echo "PASS"

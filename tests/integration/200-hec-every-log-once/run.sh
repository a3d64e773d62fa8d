#!/usr/bin/env bash
# Two logstores to Splunk HEC (gzip, several requests in flight): every log arrives exactly
# once, with the configured metadata; checkpoints reach the end; SIGTERM exits 0.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 4 --generate nginx:20000 \
    --logstore audit --shards 2 --generate actiontrail:3000
start_receiver
write_config "$T/a.yaml" "$T/out" nginx audit
cat >>"$T/a.yaml" <<YAML
mapping:
  sourcetype: aliyun:sls
  index: main
  fields: ["env=test"]
YAML
start_slsfwd a "$T/a.yaml"
wait_for 60 "23000 events at the receiver" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 23000 ]"
sleep 2
stop_slsfwd a
seqcheck --expect 23000 --max-dup 0 "$T/received.ndjson"
[ "$(jq -r 'select(.sourcetype != "aliyun:sls" or .index != "main" or .fields.env != "test") | 1' "$T/received.ndjson" | wc -l)" -eq 0 ] ||
    fail "events without the configured sourcetype/index/fields"
gz=$(rcv GET /stats | jq .gzip_requests)
[ "$gz" -gt 0 ] || fail "no gzip request"
echo "gzip requests: $gz of $(rcv GET /stats | jq .requests.event.total)"
grep -q 'msg="left the consumer group: .* source=demo/audit' "$T/a.log" || fail "no leave at stop"
echo "PASS"

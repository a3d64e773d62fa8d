#!/usr/bin/env bash
# SLS answers 500, 503, 403 ReadQuotaExceed, drops connections and truncates bodies on 10% of
# requests: no loss, no stall.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 4 --generate nginx:20000 \
    --fault api=PullLogs,type=500,rate=0.02 --fault api=PullLogs,type=503,rate=0.02 \
    --fault api=PullLogs,type=ReadQuotaExceed,rate=0.02 --fault api=PullLogs,type=drop,rate=0.02 \
    --fault api=PullLogs,type=truncate,rate=0.02 --fault api=ConsumerGroupHeartBeat,type=503,rate=0.1 \
    --fault api=ConsumerGroupUpdateCheckPoint,type=500,rate=0.1 --fault api=GetCheckPoint,type=drop,rate=0.1
PULL_COUNT=5 # many small pulls, so the faults hit often
write_config "$T/a.yaml" "$T/a.ndjson" nginx
start_slsfwd a "$T/a.yaml"
wait_for 120 "all 20000 logs" lines_at_least 20000 "$T/a.ndjson"
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 60 "2000 more logs" lines_at_least 22000 "$T/a.ndjson"
stop_slsfwd a
seqcheck --expect 22000 "$T/a.ndjson"
fired=$(emu GET /_emulator/faults | jq '[.[].fired] | add')
echo "faults fired: $fired"
[ "${fired:-0}" -gt 0 ] || fail "no fault fired"
grep -q 'msg="pull failed"' "$T/a.log" || fail "failures were not logged"
echo "PASS"

#!/usr/bin/env bash
# /metrics and /healthz scraped over and over by two clients at once while two sources deliver
# to a HEC that is slow and sometimes busy, and data keeps arriving: the metrics thread reads
# what the coord thread, the fetch workers and the sink threads write (under make test-tsan this
# is the scenario that shows races between them). Each scrape is complete, counters never go
# back, scrapes saw delivery in progress, and the totals end at what was delivered.
source "$SF_TESTS/lib.sh"

# Slow heartbeats (the coord thread updates its counters right after each call, so scrapes
# land in between) that sometimes fail, and failing pulls, so the error paths update their
# counters while the scrapers read them. A group timeout far above the failures' retries
# keeps the consumer in the group: no replay, so the counters must end exactly at the logs.
start_emulator --project demo --logstore nginx --shards 4 --generate nginx:4000 \
    --logstore audit --shards 2 --generate actiontrail:1000 \
    --fault api=ConsumerGroupHeartBeat,type=latency,ms=200 \
    --fault api=ConsumerGroupHeartBeat,type=500,rate=0.2 --fault api=PullLogs,type=503,rate=0.05
GROUP_TIMEOUT=30s
start_receiver --fault type=latency,ms=30 --fault type=503,rate=0.1,retry_after=0
HEC_EXTRA="max_body_bytes: 60000"
write_config "$T/a.yaml" "$T/out" nginx audit
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
M=http://127.0.0.1:$mport

# scrape NAME: /metrics and /healthz in a loop until $T/stop-scraping exists; every /metrics
# answer goes to $T/scrape-NAME.<n>. /healthz may say 503 (not ready yet): only a complete
# answer matters there.
scrape() {
    local name=$1 n=0
    until [ -e "$T/stop-scraping" ]; do
        n=$((n + 1))
        curl -sf "$M/metrics" -o "$T/scrape-$name.$n" || echo "scrape $n failed" >>"$T/scrape-$name.errors"
        curl -s "$M/healthz" -o /dev/null -w '%{http_code}\n' >>"$T/healthz-$name"
    done
}
scrape one &
s1=$!
scrape two &
s2=$!
PIDS+=("$s1" "$s2")

# More data while the first is being delivered: 5 waves of 1000 logs per logstore.
total=5000
for _ in 1 2 3 4 5; do
    emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=1000" >/dev/null
    emu POST "/_emulator/projects/demo/logstores/audit/generate?kind=actiontrail&count=1000" >/dev/null
    total=$((total + 2000))
    sleep 0.5
done
all_received() { seqcheck --expect "$total" "$T/received.ndjson" >/dev/null 2>&1; }
wait_for 120 "$total events at the receiver" all_received
out_total() { # sum of slsfwd_events_out_total over the sources in FILE
    awk '/^slsfwd_events_out_total\{/ {s += $2} END {printf "%d\n", s}' "$1"
}
# The last confirmations reach the counters just after the receiver's answers.
all_counted() { curl -sf "$M/metrics" -o "$T/final.txt" && [ "$(out_total "$T/final.txt")" -eq "$total" ]; }
wait_for 30 "slsfwd_events_out_total to reach $total" all_counted
touch "$T/stop-scraping"
wait "$s1" "$s2"

[ ! -e "$T/scrape-one.errors" ] && [ ! -e "$T/scrape-two.errors" ] ||
    fail "failed scrapes: $(cat "$T"/scrape-*.errors)"
! grep -qv '^\(200\|503\)$' "$T"/healthz-* || fail "/healthz answered other than 200/503"
mid=0
for name in one two; do
    prev=0
    n=$(find "$T" -name "scrape-$name.*" | wc -l)
    [ "$n" -ge 5 ] || fail "client $name scraped only $n times"
    for i in $(seq 1 "$n"); do
        f=$T/scrape-$name.$i
        grep -q '^slsfwd_hec_requests_total' "$f" || fail "scrape $f is incomplete"
        cur=$(out_total "$f")
        [ "$cur" -ge "$prev" ] || fail "slsfwd_events_out_total went back from $prev to $cur ($f)"
        [ "$cur" -le "$total" ] || fail "slsfwd_events_out_total $cur exceeds the $total logs ($f)"
        if [ "$cur" -gt 0 ] && [ "$cur" -lt "$total" ]; then
            mid=$((mid + 1))
        fi
        prev=$cur
    done
done
[ "$mid" -ge 4 ] || fail "only $mid scrapes saw delivery in progress"
echo "scrapes during delivery: $mid"
stop_slsfwd a
seqcheck --expect "$total" "$T/received.ndjson"
echo "PASS"

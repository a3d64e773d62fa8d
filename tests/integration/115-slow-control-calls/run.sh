#!/usr/bin/env bash
# Three sources, and SLS is slow on checkpoint commits and GetCheckPoint (8 s, half the
# calls): heartbeats still go out on time, so no consumer is ever expelled from its group,
# and every log is delivered. Before heartbeats had their own thread, one coord thread ran
# every source's commits and heartbeats in turn and a few slow commits cost the group.
source "$SF_TESTS/lib.sh"

GROUP_TIMEOUT=10s
HEARTBEAT=2s
CHECKPOINT=1s
start_emulator --project demo \
    --logstore a --shards 2 --generate nginx:6000 \
    --logstore b --shards 2 --generate nginx:6000 \
    --logstore c --shards 2 --generate actiontrail:3000 \
    --fault api=ConsumerGroupUpdateCheckPoint,type=latency,ms=8000,rate=0.5 \
    --fault api=GetCheckPoint,type=latency,ms=8000,rate=0.5
write_config "$T/s.yaml" "$T/s.ndjson" a b c
start_slsfwd s "$T/s.yaml"

# The server's view, twice a second: per logstore, the consumer's heartbeat count and the
# time since its last heartbeat. An expelled consumer comes back with its count reset.
watch_groups() {
    while true; do
        curl -sf "$EMU/_emulator/stats" | jq -c '[.projects[].logstores[] | .name as $ls
            | .consumer_groups[].consumers[] | {ls: $ls, n: .heartbeats,
              ago: .last_heartbeat_ms_ago}]' >>"$T/groups.ndjson" 2>/dev/null || true
        sleep 0.5
    done
}
watch_groups &
PIDS+=($!)

distinct_at_least() { # distinct_at_least N: N distinct seq delivered (duplicates are fine)
    "$SF_BUILD/seqcheck" --expect "$1" "$T/s.ndjson" >/dev/null 2>&1
}
wait_for 180 "all 15000 logs" distinct_at_least 15000
emu POST "/_emulator/projects/demo/logstores/a/generate?kind=nginx&count=1000" >/dev/null
emu POST "/_emulator/projects/demo/logstores/c/generate?kind=nginx&count=1000" >/dev/null
wait_for 120 "2000 more logs" distinct_at_least 17000
stop_slsfwd s
seqcheck --expect 17000 "$T/s.ndjson"

fired=$(emu GET /_emulator/faults | jq '[.[].fired] | add')
echo "slow calls: $fired"
[ "${fired:-0}" -ge 10 ] || fail "only $fired slow calls: the faults did not bite"
worst=$(jq -s '[.[][] .ago] | max' "$T/groups.ndjson")
echo "longest time the server saw without a heartbeat: ${worst} ms (group timeout 10000 ms)"
[ "$worst" -lt 10000 ] || fail "a heartbeat was ${worst} ms late: the consumer was expelled"
# A heartbeat count that goes down is a consumer the server forgot and saw join again.
resets=$(jq -s '[.[][]] | group_by(.ls) | map([.[].n] | . as $n
    | [range(1; length) | select($n[.] < $n[. - 1])] | length) | add' "$T/groups.ndjson")
[ "$resets" -eq 0 ] || fail "the server forgot the consumer $resets times"
refused=$(emu GET /_emulator/stats | jq '.errors.ConsumerGroupHeartBeat // 0')
[ "$refused" -eq 0 ] || fail "the server refused $refused heartbeats"
if grep -E 'dropped every shard|msg="heartbeat failed"|shard revoked' "$T/s.log"; then
    fail "the consumer lost its group membership"
fi
echo "PASS"

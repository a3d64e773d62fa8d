#!/usr/bin/env bash
# 256 idle shards in one process (issue 13): starting them costs one GetCheckPoint for the
# group, not one per shard; once every shard is caught up, each is pulled
# every idle_fetch_interval (default 4 s; fetch_interval is 300 ms here) instead of every
# fetch_interval, with one heartbeat per source and no commit for a checkpoint that did not
# move. Data on one shard brings it back to immediate pulling (a large backlog is read at full
# speed); data spread over every shard after a quiet spell reaches the sink without each shard
# waiting out its idle interval.
source "$SF_TESTS/lib.sh"

SHARDS=256
start_emulator --project demo --logstore idle --shards $SHARDS
write_config "$T/a.yaml" "$T/out.ndjson" idle
start_slsfwd a "$T/a.yaml"

api_count() { emu GET /_emulator/stats | jq --arg a "$1" '.requests[$a] // 0'; }
all_started() {
    local n
    n=$(grep -c 'msg="shard started"' "$T/a.log" 2>/dev/null) || true
    [ "${n:-0}" -ge $SHARDS ]
}
first_commits_done() { [ "$(api_count ConsumerGroupUpdateCheckPoint)" -ge $SHARDS ]; }
wait_for 60 "all $SHARDS shards started" all_started
# Shards granted together share one GetCheckPoint (the whole group's list), not one each.
checkpoint_reads=$(api_count GetCheckPoint)
echo "start: GetCheckPoint requests=$checkpoint_reads for $SHARDS shards"
[ "$checkpoint_reads" -le 16 ] || fail "$checkpoint_reads GetCheckPoint requests to start $SHARDS shards"
wait_for 30 "the start cursors committed" first_commits_done
sleep 6 # the idle wait reaches its bound after 0.1+0.2+0.3+0.6+1.2+2.4 s of silence

window=8
pulls0=$(api_count PullLogs)
beats0=$(api_count ConsumerGroupHeartBeat)
commits0=$(api_count ConsumerGroupUpdateCheckPoint)
t0=$(date +%s.%N)
sleep $window
t1=$(date +%s.%N)
pulls=$(($(api_count PullLogs) - pulls0))
beats=$(($(api_count ConsumerGroupHeartBeat) - beats0))
commits=$(($(api_count ConsumerGroupUpdateCheckPoint) - commits0))
rate=$(awk -v p=$pulls -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }')
echo "idle: pulls_per_s=$rate heartbeats=$beats commits=$commits over ${window}s"
# 256 shards every 4 s: 64/s. Every 300 ms (the old pacing) would be ~850/s.
[ "$rate" -le 90 ] || fail "$rate pulls/s from $SHARDS idle shards, expected about 64"
[ "$rate" -ge 20 ] || fail "$rate pulls/s: idle shards are not pulled any more"
[ "$beats" -le $((window + 3)) ] || fail "$beats heartbeats in ${window}s: not one per source"
[ "$commits" -eq 0 ] || fail "$commits commits while no checkpoint moved"

# A backlog on one shard: read at full speed, not at the idle pace (the pull count starts at
# 16 LogGroups and doubles, so these ~220 LogGroups take 4-5 pulls: 4 s apart, over 16 s).
n1=$(emu POST "/_emulator/projects/demo/logstores/idle/generate?kind=nginx&count=30000&shard=7" | jq .logs)
start=$SECONDS
wait_for 60 "the backlog of shard 7" lines_at_least "$n1" "$T/out.ndjson"
backlog_s=$((SECONDS - start))
echo "backlog of $n1 logs on one shard delivered in ${backlog_s}s"
[ "$backlog_s" -le 12 ] || fail "the backlog took ${backlog_s}s: pulled at the idle pace"

# Quiet again until every shard is back at its bound, then logs on every shard: they arrive
# without each shard waiting out its 4 s (the first shard to find data pulls the others).
sleep 7
n2=$(emu POST "/_emulator/projects/demo/logstores/idle/generate?kind=nginx&count=60000" | jq .logs)
t0=$(date +%s.%N)
wait_for 60 "the logs spread over every shard" lines_at_least $((n1 + n2)) "$T/out.ndjson"
t1=$(date +%s.%N)
spread_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
echo "logs on every shard after a quiet spell delivered in ${spread_ms}ms"

stop_slsfwd a
seqcheck --expect $((n1 + n2)) --max-dup 0 "$T/out.ndjson"
echo "PASS"

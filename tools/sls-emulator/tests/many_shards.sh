#!/bin/bash
# Many shards over HTTP (issue 13): three logstores of 256 shards in one project from the
# command line, ListShards/GetLogStore/GetCursor/PullLogs on the last shard, a consumer group
# whose four consumers (heartbeats sent with curl) end up with 64 shards each, a checkpoint on
# shard 255 with GetCheckPoint answering for all 256, the stats JSON with every shard and
# owner, an 800-shard logstore made through the control plane and its limits (801 refused, at
# start and at run time), then a clean SIGTERM.
# usage: many_shards.sh path/to/sls-emulator
set -u
emulator=$1
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
failures=0

. "$(dirname "$0")/../../../tests/support/tool.sh" # tool_port, check

# A start-up with too many shards is refused with a reason.
"$emulator" --no-auth --project p --logstore x --shards 801 >"$dir/refused.out" 2>"$dir/refused.err"
refused_rc=$?
check "--shards 801 refused at start" [ "$refused_rc" -ne 0 ]
check "the refusal names the limit" grep -q '1\.\.800' "$dir/refused.err"

"$emulator" --listen 127.0.0.1:0 --no-auth --quiet --project p \
    --logstore a --shards 256 --logstore b --shards 256 --logstore c --shards 256 \
    --generate nginx:100000 >"$dir/out" 2>"$dir/err" &
pid=$!
E=http://127.0.0.1:$(tool_port sls-emulator "$dir/out" "$pid")
if [ "$E" = "http://127.0.0.1:" ]; then
    echo "many_shards: emulator did not start" >&2
    cat "$dir/err" >&2
    exit 1
fi

sls() { # sls METHOD PATH [BODY]: an unsigned SLS API call to project p
    if [ $# -ge 3 ]; then
        curl -s -X "$1" -H 'Host: p.emulator' -H 'Content-Type: application/json' \
            -H 'x-log-apiversion: 0.6.0' --data "$3" "$E$2"
    else
        curl -s -X "$1" -H 'Host: p.emulator' -H 'x-log-apiversion: 0.6.0' "$E$2"
    fi
}

for ls in a b c; do
    check "ListShards $ls: 256 read-write shards" \
        [ "$(sls GET /logstores/$ls/shards | jq '[.[] | select(.status == "readwrite")] | length')" = 256 ]
done
check "GetLogStore says shardCount 256" [ "$(sls GET /logstores/c | jq .shardCount)" = 256 ]
check "the last shard ends the hash space" \
    [ "$(sls GET /logstores/a/shards | jq -r '.[255].exclusiveEndKey')" = ffffffffffffffffffffffffffffffff ]
cursor=$(sls GET "/logstores/c/shards/255?type=cursor&from=begin" | jq -r .cursor)
check "GetCursor on shard 255" [ "${cursor:-null}" != null ]
count=$(curl -s -o /dev/null -D - -H 'Host: p.emulator' -H 'x-log-apiversion: 0.6.0' \
    "$E/logstores/c/shards/255?type=logs&cursor=$cursor&count=1000" | tr -d '\r' |
    sed -n 's/^x-log-count: //Ip')
check "PullLogs on shard 255 returns its data" [ "${count:-0}" -gt 0 ]
check "shard 256 does not exist" \
    [ "$(sls GET "/logstores/c/shards/256?type=cursor&from=begin" | jq -r .errorCode)" = ShardNotExist ]

sls POST /logstores/a/consumergroups '{"consumerGroup":"cg","timeout":60,"order":false}' >/dev/null
declare -A held
for c in c0 c1 c2 c3; do held[$c]='[]'; done
for _ in 1 2 3; do
    for c in c0 c1 c2 c3; do
        held[$c]=$(sls POST "/logstores/a/consumergroups/cg?type=heartbeat&consumer=$c" "${held[$c]}" | jq -c .)
    done
done
for c in c0 c1 c2 c3; do
    check "consumer $c holds 64 shards" [ "$(jq length <<<"${held[$c]}")" = 64 ]
done
check "every shard is held exactly once" \
    [ "$(jq -s 'add | unique | length' <<<"${held[c0]} ${held[c1]} ${held[c2]} ${held[c3]}")" = 256 ]
holder=
for c in c0 c1 c2 c3; do
    if [ "$(jq 'index(255) != null' <<<"${held[$c]}")" = true ]; then holder=$c; fi
done
sls POST "/logstores/a/consumergroups/cg?type=checkpoint&consumer=$holder&forceSuccess=false" \
    "{\"shard\":255,\"checkpoint\":\"$(sls GET "/logstores/a/shards/255?type=cursor&from=end" | jq -r .cursor)\"}" \
    >"$dir/commit.out"
check "the holder commits shard 255" [ ! -s "$dir/commit.out" ]
check "GetCheckPoint lists 256 shards" [ "$(sls GET /logstores/a/consumergroups/cg | jq length)" = 256 ]
check "GetCheckPoint shard=255 has the checkpoint" \
    [ "$(sls GET '/logstores/a/consumergroups/cg?shard=255' | jq -r '.[0].consumer')" = "$holder" ]

curl -s "$E/_emulator/stats" >"$dir/stats.json"
check "stats: 3 logstores of 256 shards" \
    [ "$(jq '[.projects[0].logstores[] | .shards | length] | join(",")' -r "$dir/stats.json")" = 256,256,256 ]
check "stats: 4 consumers of 64 shards" \
    [ "$(jq -r '[.projects[0].logstores[0].consumer_groups[0].consumers[].shards | length] | join(",")' "$dir/stats.json")" = 64,64,64,64 ]
check "stats: every shard allocated" \
    [ "$(jq '[.projects[0].logstores[0].consumer_groups[0].shards[] | select(.state == "already_alloc")] | length' "$dir/stats.json")" = 256 ]

status() { curl -s -o /dev/null -w '%{http_code}' -X POST "$E$1"; }
check "control plane: an 800-shard logstore" [ "$(status '/_emulator/projects/p/logstores?name=big&shards=800')" = 200 ]
check "control plane: 801 shards refused" [ "$(status '/_emulator/projects/p/logstores?name=huge&shards=801')" = 400 ]
check "the 800-shard logstore lists 800" [ "$(sls GET /logstores/big/shards | jq length)" = 800 ]
check "split of shard 799" \
    [ "$(curl -s -X POST "$E/_emulator/projects/p/logstores/big/shards/799/split" | jq -c .children)" = '[800,801]' ]

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "clean exit on SIGTERM" [ "$rc" = 0 ]
if [ "$failures" -ne 0 ]; then
    echo "many_shards: $failures check(s) failed" >&2
    exit 1
fi
echo "many_shards: all checks passed"

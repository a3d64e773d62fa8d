#!/usr/bin/env bash
# make demo: the bundled SLS emulator serves nginx and ActionTrail logs, slsfwd consumes them
# through a consumer group and delivers every log both to the bundled Splunk HEC receiver (over
# HTTPS, gzip, with a throwaway CA) and to a real rsyslog (RFC 5424 over TCP), then this prints
# what arrived. No cloud account, no Splunk.
set -euo pipefail
. "$(dirname "$0")/../tests/support/tool.sh" # tool_port
cd "$(dirname "$0")/.."
build=${BUILD:-build}
dir=$(mktemp -d /tmp/slsfwd-demo.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; echo "demo files kept in $dir"' EXIT

echo "== starting the SLS emulator: project demo, logstores nginx (4 shards) and actiontrail (2)"
"$build/sls-emulator" --listen 127.0.0.1:0 --access-key demo-key:demo-secret \
    --project demo --logstore nginx --shards 4 --generate nginx:50000 \
    --logstore actiontrail --shards 2 --generate actiontrail:5000 \
    >"$dir/emulator.out" 2>"$dir/emulator.log" &
pids+=($!)
port=$(tool_port sls-emulator "$dir/emulator.out" $! 3000)
total=55000

echo "== starting the Splunk HEC receiver (HTTPS with a throwaway CA, token demo-token)"
"$build/hec-receiver" --listen 127.0.0.1:0 --token demo-token --out "$dir/events.ndjson" \
    --cert tests/data/tls/server.pem --key tests/data/tls/server.key \
    >"$dir/receiver.out" 2>"$dir/receiver.log" &
pids+=($!)
hec_port=$(tool_port hec-receiver "$dir/receiver.out" $! 3000)

echo "== starting rsyslog (unprivileged, 127.0.0.1) as the syslog SIEM"
syslog_port=$((20000 + RANDOM % 12000)) # below the ephemeral (outgoing) port range
mkdir -p "$dir/rsyslog"
cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/rsyslog" maxMessageSize="256k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$syslog_port" ruleset="out")
template(name="line" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="out") { action(type="omfile" file="$dir/syslog.ndjson" template="line") }
CONF
rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslog/pid" >"$dir/rsyslog.log" 2>&1 &
pids+=($!)

cat >"$dir/slsfwd.yaml" <<YAML
sls:
  endpoint: http://127.0.0.1:$port
  project: demo
  access_key_id: demo-key
  access_key_secret: demo-secret
  consumer_group: demo-forwarder
  checkpoint_interval: 2s
sources:
  - logstore: nginx
  - logstore: actiontrail
output:
  hec:
    url: https://127.0.0.1:$hec_port
    token: demo-token
    ca_file: $PWD/tests/data/tls/ca.pem
  syslog:
    address: 127.0.0.1:$syslog_port
    hostname: sls-demo
metrics:
  listen: 127.0.0.1:0
mapping:
  sourcetype: aliyun:sls
  index: main
YAML
chmod 600 "$dir/slsfwd.yaml"
echo "== running: slsfwd run -c $dir/slsfwd.yaml"
"$build/slsfwd" run -c "$dir/slsfwd.yaml" 2>"$dir/slsfwd.log" &
fwd=$!
pids+=($fwd)
deadline=$((SECONDS + 120))
while [ "$( (wc -l <"$dir/events.ndjson") 2>/dev/null || echo 0)" -lt $total ] ||
    [ "$( (wc -l <"$dir/syslog.ndjson") 2>/dev/null || echo 0)" -lt $total ]; do
    [ $SECONDS -lt $deadline ] || { echo "demo: not all logs arrived; see $dir/slsfwd.log"; exit 1; }
    sleep 0.5
done
sleep 3 # one more checkpoint interval, so the lag below reads 0
kill -TERM "$fwd"
wait "$fwd"

echo
echo "== the HEC receiver accepted $(wc -l <"$dir/events.ndjson") events (emulator held $total); they are in $dir/events.ndjson"
echo "== per source (sourcetype/__topic__):"
jq -r '.event.__topic__ // "" | if . == "" then "nginx (no topic)" else . end' "$dir/events.ndjson" | sort | uniq -c
echo "== consumer group after the run (each shard's checkpoint):"
curl -s "http://127.0.0.1:$port/_emulator/stats" | jq -r '
  .projects[].logstores[] | .name as $ls | (.shards | map({key: (.shardID|tostring), value: .end_cursor}) | from_entries) as $ends
  | .consumer_groups[].shards[] | "\($ls) shard \(.shard): checkpoint \(if .checkpoint == $ends[(.shard|tostring)] then "at the end (lag 0)" else .checkpoint end)"'
echo "== two events as Splunk received them:"
head -n 1 "$dir/events.ndjson" | jq -c '{time, sourcetype, index, event: (.event | {__topic__, __source__, remote_addr, request_uri, status, seq})}'
grep -m 1 '"actiontrail_audit_event"' "$dir/events.ndjson" | jq -c '{time, event: (.event | {__topic__, seq, event: (.event | {eventName, userIdentity: .userIdentity.type})})}'
echo "== rsyslog received $(wc -l <"$dir/syslog.ndjson") RFC 5424 messages; one, as rsyslog parsed it:"
head -n 1 "$dir/syslog.ndjson" | jq -c '{pri, host, app, sd, msg: (.msg | ltrimstr("\ufeff") | fromjson | {__topic__, remote_addr, status, seq})}'
echo "== slsfwd's last words:"
grep 'msg="stopped"' "$dir/slsfwd.log" | sed 's/^.*msg=/msg=/'

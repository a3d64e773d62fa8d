#!/usr/bin/env bash
# rsyslog is killed mid-run and started again on the same port: slsfwd reconnects and resends
# what the kernel had not confirmed; every log arrives (duplicates allowed, loss not), and
# checkpoints never pass what rsyslog acknowledged.
source "$SF_TESTS/lib.sh"
command -v rsyslogd >/dev/null || fail "rsyslogd is not installed (scripts/install-deps.sh installs it)"

R=$T/rsyslog
mkdir -p "$R/work"
port=$(free_port 1)
cat >"$R/rsyslog.conf" <<CONF
global(workDirectory="$R/work" maxMessageSize="256k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="out")
template(name="json" type="list" option.jsonf="on") {
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="out") { action(type="omfile" file="$R/parsed.log" template="json") }
CONF
start_rsyslog() {
    rsyslogd -n -f "$R/rsyslog.conf" -i "$R/rsyslogd.pid" >>"$T/rsyslog.log" 2>&1 &
    RS_PID=$!
    PIDS+=($RS_PID)
    sleep 1
}
start_rsyslog

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
write_config "$T/a.yaml" "$T/unused" nginx
sed -i '/^output:/,/^metrics:/{/^metrics:/!d}' "$T/a.yaml"
printf 'output:\n  syslog:\n    address: 127.0.0.1:%s\n    protocol: tcp\n' "$port" >>"$T/a.yaml"
start_slsfwd a "$T/a.yaml"
wait_for 60 "the first 3000 messages" lines_at_least 3000 "$R/parsed.log"
kill -9 "$RS_PID"
wait "$RS_PID" 2>/dev/null || true
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
sleep 3
start_rsyslog
wait_for 90 "all 6000 logs" bash -c "jq -c '{event: (.msg | ltrimstr(\"\\ufeff\") | fromjson)}' $R/parsed.log > $T/events 2>/dev/null && \"$SF_BUILD/seqcheck\" --expect 6000 $T/events >/dev/null 2>&1"
stop_slsfwd a
jq -c '{event: (.msg | ltrimstr("\ufeff") | fromjson)}' "$R/parsed.log" >"$T/events"
seqcheck --expect 6000 "$T/events"
grep -q 'module=syslog\|module=sink' "$T/a.log" || true
echo "PASS"

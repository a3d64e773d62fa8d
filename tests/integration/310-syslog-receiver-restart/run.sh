#!/usr/bin/env bash
# rsyslog is killed mid-run and started again on the same port: slsfwd reconnects and resends
# what the kernel had not confirmed; every log arrives (duplicates allowed, loss not), and
# checkpoints never pass what rsyslog acknowledged.
source "$SF_TESTS/lib.sh"
command -v rsyslogd >/dev/null || fail "rsyslogd is not installed (scripts/install-deps.sh installs it)"

R=$T/rsyslog
port=$(free_port 1)
rsyslog_msg_config "$R" "$port"
start_rsyslog "$R"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
write_config "$T/a.yaml" "$T/unused" nginx
syslog_output "$T/a.yaml" "address: 127.0.0.1:$port" "protocol: tcp"
start_slsfwd a "$T/a.yaml"
wait_for 60 "the first 3000 messages" lines_at_least 3000 "$R/parsed.log"
kill -9 "$RS_PID"
wait "$RS_PID" 2>/dev/null || true
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=3000" >/dev/null
sleep 3
start_rsyslog "$R"
all_arrived() {
    rsyslog_events "$R/parsed.log" >"$T/events" 2>/dev/null && seqcheck --expect 6000 "$T/events" >/dev/null 2>&1
}
wait_for 90 "all 6000 logs" all_arrived
stop_slsfwd a
rsyslog_events "$R/parsed.log" >"$T/events"
seqcheck --expect 6000 "$T/events"
grep -q 'module=syslog\|module=sink' "$T/a.log" || true
echo "PASS"

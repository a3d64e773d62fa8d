#!/usr/bin/env bash
# Two outputs at once: every log goes to Splunk HEC and to rsyslog. When HEC refuses the token,
# syslog delivery goes on within the memory budget but checkpoints stop (they need both); once
# the token works again both receive everything.
source "$SF_TESTS/lib.sh"
command -v rsyslogd >/dev/null || fail "rsyslogd is not installed (scripts/install-deps.sh installs it)"

R=$T/rsyslog
port=$(free_port 1)
rsyslog_msg_config "$R" "$port"
start_rsyslog "$R"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
start_receiver
write_config "$T/a.yaml" "$T/out" nginx
printf '  syslog:\n    address: 127.0.0.1:%s\n' "$port" >"$T/syslog-block"
sed -i "/^  hec:/e cat $T/syslog-block" "$T/a.yaml"
grep -q '^  syslog:' "$T/a.yaml" || fail "config: no syslog block"
start_slsfwd a "$T/a.yaml"
wait_for 60 "3000 at HEC" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 3000 ]"
wait_for 60 "3000 at rsyslog" lines_at_least 3000 "$R/parsed.log"

rcv POST /tokens/it-token/disable >/dev/null
checkpoints() {
    emu GET /_emulator/stats | jq -c '[.projects[].logstores[].consumer_groups[].shards[] | .checkpoint]'
}
sleep 2
before=$(checkpoints)
emu POST "/_emulator/projects/demo/logstores/nginx/generate?kind=nginx&count=2000" >/dev/null
wait_for 30 "syslog to keep delivering while HEC refuses" lines_at_least 5000 "$R/parsed.log"
sleep 3
after=$(checkpoints)
[ "$before" = "$after" ] || fail "checkpoints moved while HEC refused the token"
[ "$(received)" -eq 3000 ] || fail "HEC accepted events with a disabled token"

rcv POST /tokens/it-token/enable >/dev/null
wait_for 60 "5000 at HEC" bash -c "\"$SF_BUILD/seqcheck\" --expect 5000 $T/received.ndjson >/dev/null 2>&1"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
grep -qE '^slsfwd_syslog_batches_delivered_total [1-9]' "$T/metrics.txt" || fail "no syslog metrics"
grep -qE '^slsfwd_syslog_connected 1' "$T/metrics.txt" || fail "syslog not connected per metrics"
grep -qE '^slsfwd_hec_events_confirmed_total [1-9]' "$T/metrics.txt" || fail "no HEC metrics"
stop_slsfwd a
seqcheck --expect 5000 "$T/received.ndjson"
rsyslog_events "$R/parsed.log" 2>/dev/null >"$T/syslog.events"
seqcheck --expect 5000 "$T/syslog.events"
echo "PASS"

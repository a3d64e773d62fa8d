#!/usr/bin/env bash
# Syslog delivery to a real rsyslog (Debian package, unprivileged config on 127.0.0.1): TCP with
# octet counting, TCP with LF framing, and TLS (RFC 5425). Every log arrives once, and rsyslog
# parses the header as sent: time, hostname, app-name, structured data, non-ASCII MSG.
source "$SF_TESTS/lib.sh"
command -v rsyslogd >/dev/null || fail "rsyslogd is not installed (scripts/install-deps.sh installs it)"

R=$T/rsyslog
mkdir -p "$R/work"
port=$(free_port 2)
tls_port=$((port + 1))
cat >"$R/rsyslog.conf" <<CONF
global(workDirectory="$R/work" maxMessageSize="256k"
       parser.escapeControlCharactersOnReceive="off"
       DefaultNetstreamDriverCAFile="$SF_TESTS/../data/tls/ca.pem"
       DefaultNetstreamDriverCertFile="$SF_TESTS/../data/tls/server.pem"
       DefaultNetstreamDriverKeyFile="$SF_TESTS/../data/tls/server.key")
module(load="imtcp" maxSessions="200")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="out")
input(type="imtcp" address="127.0.0.1" port="$tls_port" ruleset="out"
      StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
template(name="json" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="out") {
  action(type="omfile" file="$R/parsed.log" template="json")
}
CONF
rsyslogd -N1 -f "$R/rsyslog.conf" >"$T/rsyslog-check.log" 2>&1 || fail "rsyslog config: $(cat "$T/rsyslog-check.log")"
start_rsyslog "$R"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:1500 \
    --logstore audit --shards 1 --generate actiontrail:200
total=1700

run_mode() { # run_mode NAME PROTOCOL FRAMING PORT
    local name=$1
    run_syslog_mode "$name" "$2" "$3" "$4" "$R/parsed.log" $total
    rsyslog_events "$R/parsed.log" >"$T/$name.events"
    seqcheck --expect $total --max-dup 0 "$T/$name.events"
    jq -e -s 'all(.[]; .host == "sls-demo" and .app == "slsfwd" and .pri == "14"
        and (.sd | startswith("[sls@32473 project=\"demo\" logstore=\""))
        and (.time | test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T")))' "$R/parsed.log" >/dev/null ||
        fail "$name: a header field was not parsed as sent: $(head -c 600 "$R/parsed.log")"
    grep -q '"event":{' "$T/$name.events" || true
    echo "$name: $total messages, headers parsed as sent"
}

run_mode tcp_octet tcp octet "$port"
"$SF_BUILD/slsfwd" check -c "$T/tcp_octet.yaml" >"$T/check.txt" 2>/dev/null || fail "check failed: $(cat "$T/check.txt")"
grep -q "^ok   syslog 127.0.0.1:$port (tcp): accepts TCP connections" "$T/check.txt" || fail "check does not probe syslog: $(cat "$T/check.txt")"
sed "s/address: 127.0.0.1:$port/address: 127.0.0.1:1/" "$T/tcp_octet.yaml" >"$T/nobody.yaml"
! "$SF_BUILD/slsfwd" check -c "$T/nobody.yaml" >"$T/check-bad.txt" 2>/dev/null || fail "check passed with nothing listening"
grep -q '^FAIL syslog 127.0.0.1:1 (tcp): Connection refused' "$T/check-bad.txt" || fail "no refusal line: $(cat "$T/check-bad.txt")"
run_mode tcp_lf tcp lf "$port"
run_mode tls tls octet "$tls_port"
# Non-ASCII survives: the generator puts Chinese text and invalid UTF-8 (as U+FFFD) in values.
grep -q '\\u' "$R/parsed.log" || grep -qP '[^\x00-\x7F]' "$R/parsed.log" || fail "no non-ASCII text arrived"
echo "PASS"

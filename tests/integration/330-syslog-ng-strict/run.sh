#!/usr/bin/env bash
# syslog-ng's strict RFC 5424 parser accepts every message slsfwd sends — TCP octet counting,
# TCP LF framing (flags(syslog-protocol)) and TLS — with the header and structured data parsed
# as sent; every log arrives once. (Alibaba's own client fails here: no STRUCTURED-DATA.)
source "$SF_TESTS/lib.sh"
SNG=/opt/slsfwd-test/syslog-ng
[ -x "$SNG/usr/sbin/syslog-ng" ] || fail "syslog-ng is not unpacked in $SNG (scripts/install-deps.sh does it)"

D=$T/sng
mkdir -p "$D"
port=$(free_port 3)
lf_port=$((port + 1))
tls_port=$((port + 2))
tls=$SF_TESTS/../data/tls
cat >"$D/syslog-ng.conf" <<CONF
@version: 3.38
options { log-msg-size(262144); keep-hostname(yes); use-dns(no); dns-cache(no); stats-freq(0); log-fifo-size(100000); };
source s_octet { syslog(ip("127.0.0.1") port($port) transport("tcp") max-connections(10) log-iw-size(10000)); };
source s_lf { network(ip("127.0.0.1") port($lf_port) transport("tcp") flags(syslog-protocol) max-connections(10) log-iw-size(10000)); };
source s_tls { syslog(ip("127.0.0.1") port($tls_port) transport("tls") max-connections(10) log-iw-size(10000)
  tls(key-file("$tls/server.key") cert-file("$tls/server.pem") peer-verify(optional-untrusted))); };
destination d_parsed { file("$D/parsed.log" template("\$(format-json --scope rfc5424 --scope sdata PRI=\${PRI})\n")); };
log { source(s_octet); source(s_lf); source(s_tls); destination(d_parsed); };
CONF
sng() { LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" --module-path="$SNG/usr/lib/syslog-ng/3.38" "$@"; }
sng --syntax-only -f "$D/syslog-ng.conf" >"$T/sng-check.log" 2>&1 || fail "syslog-ng config: $(cat "$T/sng-check.log")"
# Started directly, not through sng(): a backgrounded function is a subshell, and cleanup's
# kill of that subshell would leave syslog-ng running after the test.
LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" --module-path="$SNG/usr/lib/syslog-ng/3.38" \
    -F -f "$D/syslog-ng.conf" -R "$D/persist" -p "$D/pid" -c "$D/ctl" >"$T/syslog-ng.log" 2>&1 &
PIDS+=($!)
sleep 1.5

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:1500 \
    --logstore audit --shards 1 --generate actiontrail:200
total=1700

run_mode() { # run_mode NAME PROTOCOL FRAMING PORT
    local name=$1
    run_syslog_mode "$name" "$2" "$3" "$4" "$D/parsed.log" $total
    jq -c '{event: (.MESSAGE | fromjson)}' "$D/parsed.log" >"$T/$name.events" ||
        fail "$name: a MESSAGE is not the log's JSON"
    seqcheck --expect $total --max-dup 0 "$T/$name.events"
    jq -e -s 'all(.[]; .HOST == "sls-demo" and .PROGRAM == "slsfwd" and .PRI == "14"
        and ._SDATA["sls@32473"].project == "demo"
        and (._SDATA["sls@32473"].logstore == "nginx" or ._SDATA["sls@32473"].logstore == "audit"))' \
        "$D/parsed.log" >/dev/null || fail "$name: header or SD not parsed as sent: $(head -c 600 "$D/parsed.log")"
    ! grep -q 'Error processing log message' "$T/syslog-ng.log" || fail "$name: syslog-ng rejected a message"
    echo "$name: $total messages accepted by syslog-ng's RFC 5424 parser"
}

run_mode tcp_octet tcp octet "$port"
run_mode tcp_lf tcp lf "$lf_port"
run_mode tls tls octet "$tls_port"
echo "PASS"

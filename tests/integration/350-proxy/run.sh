#!/usr/bin/env bash
# HTTP proxies (issue 11 §3) with a real one, Debian's tinyproxy: slsfwd -> tinyproxy -> the
# SLS emulator (http) and slsfwd -> tinyproxy -> the HEC receiver over HTTPS (CONNECT, the
# receiver's certificate checked against the test CA). Set by the keys, then through a proxy
# that wants Basic credentials, then from HTTPS_PROXY/http_proxy with no key, and bypassed by
# NO_PROXY. Every log arrives exactly once and the proxy's log shows the tunnels. Missing or
# wrong proxy credentials (407, 401) and a proxy that denies the target port (403) give errors
# naming the proxy, never the credentials, and slsfwd keeps retrying instead of stopping.
source "$SF_TESTS/lib.sh"

TINYPROXY=${TINYPROXY:-/usr/bin/tinyproxy}
[ -x "$TINYPROXY" ] || fail "$TINYPROXY missing: bash scripts/install-deps.sh installs tinyproxy-bin"
TLS="$SF_TESTS/../data/tls"
PER_STORE=1500

# start_proxy NAME [CONFIG LINES...]: tinyproxy in the foreground on a free port, with its own
# config and log under $T; sets PORT_<NAME>. As root it warns that no User is set and keeps
# running as root, which is what a throwaway test proxy on 127.0.0.1 may do.
start_proxy() {
    local name=$1 port
    shift
    port=$(free_port 1)
    {
        echo "Port $port"
        echo "Listen 127.0.0.1"
        echo "Timeout 60"
        echo "LogFile \"$T/proxy-$name.log\""
        echo "LogLevel Info"
        echo "MaxClients 100"
        printf '%s\n' "$@"
    } >"$T/proxy-$name.conf"
    "$TINYPROXY" -d -c "$T/proxy-$name.conf" >"$T/proxy-$name.out" 2>&1 &
    PIDS+=("$!")
    local pid=$!
    wait_for 10 "tinyproxy $name listening" bash -c "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { kill -0 $pid || exit 0; exit 1; }"
    kill -0 "$pid" 2>/dev/null || fail "tinyproxy $name exited: $(cat "$T/proxy-$name.out")"
    printf -v "PORT_$name" '%s' "$port"
}

connects() { # connects NAME HOSTPORT: CONNECT requests the proxy logged for HOSTPORT
    grep -c "Request (file descriptor [0-9]*): CONNECT $2 " "$T/proxy-$1.log" || true
}

# config NAME LOGSTORE GROUP [SLS LINES] -- [HEC LINES]: one source, HEC over HTTPS.
config() {
    local file=$T/$1.yaml store=$2 group=$3
    shift 3
    local sls=() hec=() side=sls
    for line in "$@"; do
        if [ "$line" = "--" ]; then side=hec; continue; fi
        if [ $side = sls ]; then sls+=("$line"); else hec+=("$line"); fi
    done
    {
        echo "sls:"
        echo "  endpoint: $EMU"
        echo "  project: demo"
        echo "  access_key_id: $AK_ID"
        echo "  access_key_secret: $AK_SECRET"
        echo "  consumer_group: $group"
        echo "  heartbeat_interval: 1s"
        echo "  group_timeout: 4s"
        echo "  checkpoint_interval: 1s"
        echo "  fetch_interval: 300ms"
        for l in "${sls[@]}"; do echo "  $l"; done
        echo "sources:"
        echo "  - logstore: $store"
        echo "output:"
        echo "  hec:"
        echo "    url: $HEC_URL"
        echo "    token: it-token"
        echo "    ca_file: $TLS/ca.pem"
        echo "    retry_max_interval: 2s"
        echo "    linger: 200ms"
        for l in "${hec[@]}"; do echo "    $l"; done
        echo "metrics:"
        echo "  listen: 127.0.0.1:0"
        echo "limits:"
        echo "  drain_timeout: 20s"
        echo "  workers: 2"
    } >"$file"
    chmod 600 "$file"
}

# deliver NAME: runs slsfwd NAME until PER_STORE more events arrived, then stops it.
deliver() {
    local before
    before=$(received)
    start_slsfwd "$1" "$T/$1.yaml"
    wait_for 40 "$PER_STORE events from $1" arrived_at_least $((before + PER_STORE))
    stop_slsfwd "$1"
}

start_emulator --project demo --logstore keys --shards 2 --generate nginx:$PER_STORE \
    --logstore auth --shards 2 --generate nginx:$PER_STORE \
    --logstore env --shards 2 --generate nginx:$PER_STORE \
    --logstore direct --shards 2 --generate nginx:$PER_STORE \
    --logstore refused --shards 1 --generate nginx:10
start_receiver --cert "$TLS/server.pem" --key "$TLS/server.key"
HEC_URL=https://127.0.0.1:${HEC_URL##*:}
RCV=$HEC_URL/_receiver
rcv() { # the receiver speaks TLS, its control API too; the test's own curl takes no proxy
    local method=$1 path=$2
    shift 2
    curl -sf --noproxy '*' --cacert "$TLS/ca.pem" -X "$method" "$RCV$path" "$@"
}
received() { rcv GET /stats | jq '.events.accepted'; }
arrived_at_least() { [ "$(received)" -ge "$1" ]; }
EMU_HP=${EMU#http://}
HEC_HP=${HEC_URL#https://}

start_proxy open
start_proxy auth "BasicAuth proxyuser right-pass-7f3a"
start_proxy deny "ConnectPort 443"
OPEN=http://127.0.0.1:$PORT_open
AUTH=http://127.0.0.1:$PORT_auth
DENY=http://127.0.0.1:$PORT_deny

# 1. The keys: both sides through the open proxy.
config keys keys cg-keys "proxy: $OPEN" -- "proxy: $OPEN"
deliver keys
grep -q "msg=\"SLS proxy\" source=demo/keys proxy=\"$OPEN (from sls.proxy)\"" "$T/keys.log" ||
    fail "no start-up line naming the SLS proxy"
grep -q "msg=\"HEC proxy\" url=\"$HEC_URL/services/collector/event\" proxy=\"$OPEN (from output.hec.proxy)\"" "$T/keys.log" ||
    fail "no start-up line naming the HEC proxy"
[ "$(connects open "$EMU_HP")" -gt 0 ] || fail "the proxy saw no CONNECT to the emulator"
[ "$(connects open "$HEC_HP")" -gt 0 ] || fail "the proxy saw no CONNECT to HEC"
echo "keys: CONNECTs to SLS $(connects open "$EMU_HP"), to HEC $(connects open "$HEC_HP")"
# `slsfwd check` says which proxy each side takes, and checks through it.
"$SF_BUILD/slsfwd" check -c "$T/keys.yaml" >"$T/check-keys.txt" 2>&1 || fail "check failed: $(cat "$T/check-keys.txt")"
grep -qx "ok   source demo/keys proxy: $OPEN (from sls.proxy)" "$T/check-keys.txt" || fail "check shows no SLS proxy"
grep -qE "^ok   hec proxy for [^ ]*: $OPEN \(from output.hec.proxy\)$" "$T/check-keys.txt" || fail "check shows no HEC proxy"

# 2. A proxy that wants Basic credentials, given through <key>_credentials(_file).
printf 'proxyuser:right-pass-7f3a\n' >"$T/proxy_creds"
chmod 600 "$T/proxy_creds"
config auth auth cg-auth "proxy: $AUTH" "proxy_credentials_file: $T/proxy_creds" -- \
    "proxy: $AUTH" "proxy_credentials_file: $T/proxy_creds"
deliver auth
[ "$(connects auth "$EMU_HP")" -gt 0 ] && [ "$(connects auth "$HEC_HP")" -gt 0 ] ||
    fail "the authenticating proxy saw no CONNECT to both targets"

# 3. Credentials missing (407) or wrong, and a proxy that denies the target's port (403), at
# once: errors name the proxy and its answer, never a password, and slsfwd keeps running and
# retrying. tinyproxy answers a wrong password with 401, not 407 (reqs.c: 407 only when
# Proxy-Authorization is absent), so HEC, with the wrong password, sees 401.
config wrong refused cg-wrong "proxy: $AUTH" -- \
    "proxy: $AUTH" "proxy_credentials: proxyuser:wrong-pass-91c2"
config deny refused cg-deny "proxy: $DENY" -- "proxy: $DENY"
start_slsfwd wrong "$T/wrong.yaml"
start_slsfwd deny "$T/deny.yaml"
want_407_sls="proxy $AUTH refused CONNECT to $EMU_HP: 407 Proxy Authentication Required"
want_401_hec="proxy $AUTH refused CONNECT to $HEC_HP: 401 Unauthorized"
want_403_sls="proxy $DENY refused CONNECT to $EMU_HP: 403 Forbidden"
want_403_hec="proxy $DENY refused CONNECT to $HEC_HP: 403 Forbidden"
wait_for 30 "407 from the proxy in slsfwd's log (SLS)" grep -qF "$want_407_sls" "$T/wrong.log"
wait_for 30 "401 from the proxy in slsfwd's log (HEC)" grep -qF "$want_401_hec" "$T/wrong.log"
wait_for 30 "403 from the proxy in slsfwd's log (SLS)" grep -qF "$want_403_sls" "$T/deny.log"
wait_for 30 "403 from the proxy in slsfwd's log (HEC)" grep -qF "$want_403_hec" "$T/deny.log"
grep -F "$want_407_sls" "$T/wrong.log" | head -1
grep -F "$want_403_hec" "$T/deny.log" | head -1
for f in wrong deny; do
    kill -0 "$(eval echo \$PID_$f)" 2>/dev/null || fail "slsfwd $f stopped on a proxy refusal"
done
! grep -q "wrong-pass\|right-pass" "$T"/*.log || fail "a proxy password reached a log"
# The refusal never passes for an answer of SLS (no "Unauthorized", no SLS error code) nor
# of HEC (no pause for a refused token).
! grep -qi "code=Unauthorized\|delivery paused" "$T/wrong.log" "$T/deny.log" ||
    fail "a proxy refusal was taken for the target's answer"
stop_slsfwd wrong
stop_slsfwd deny

# 4. No key: the environment, read as curl does (http_proxy for the http emulator,
# HTTPS_PROXY for HEC over HTTPS).
sls_before=$(connects open "$EMU_HP")
hec_before=$(connects open "$HEC_HP")
config env env cg-env
http_proxy=$OPEN HTTPS_PROXY=$OPEN "$SF_BUILD/slsfwd" check -c "$T/env.yaml" >"$T/check-env.txt" 2>&1 ||
    fail "check failed: $(cat "$T/check-env.txt")"
cat "$T/check-env.txt"
grep -qx "ok   source demo/env proxy: $OPEN (from http_proxy)" "$T/check-env.txt" || fail "check shows no proxy from http_proxy"
grep -qE "^ok   hec proxy for [^ ]*: $OPEN \(from HTTPS_PROXY\)$" "$T/check-env.txt" || fail "check shows no proxy from HTTPS_PROXY"
http_proxy=$OPEN HTTPS_PROXY=$OPEN deliver env
grep -q "msg=\"SLS proxy\" source=demo/env proxy=\"$OPEN (from http_proxy)\"" "$T/env.log" ||
    fail "the SLS proxy from http_proxy was not logged"
grep -q "proxy=\"$OPEN (from HTTPS_PROXY)\"" "$T/env.log" || fail "the HEC proxy from HTTPS_PROXY was not logged"
[ "$(connects open "$EMU_HP")" -gt "$sls_before" ] || fail "http_proxy was not used for SLS"
[ "$(connects open "$HEC_HP")" -gt "$hec_before" ] || fail "HTTPS_PROXY was not used for HEC"

# 5. NO_PROXY=127.0.0.1 exempts both targets: nothing more reaches the proxy (and credentials
# set for no proxy get a warning).
sls_before=$(connects open "$EMU_HP")
hec_before=$(connects open "$HEC_HP")
config direct direct cg-direct "proxy_credentials: puser:unused-pass-5d1e"
http_proxy=$OPEN HTTPS_PROXY=$OPEN NO_PROXY=127.0.0.1 deliver direct
grep -q 'msg="sls.proxy_credentials is set but no proxy is used' "$T/direct.log" ||
    fail "no warning for credentials without a proxy"
! grep -q "unused-pass" "$T"/*.log || fail "a proxy password reached a log"
grep -q "msg=\"SLS proxy\" source=demo/direct proxy=\"none (the target is in NO_PROXY)\"" "$T/direct.log" ||
    fail "the NO_PROXY exemption was not logged"
[ "$(connects open "$EMU_HP")" -eq "$sls_before" ] || fail "NO_PROXY did not bypass the proxy for SLS"
[ "$(connects open "$HEC_HP")" -eq "$hec_before" ] || fail "NO_PROXY did not bypass the proxy for HEC"

seqcheck --expect $((4 * PER_STORE)) --max-dup 0 "$T/received.ndjson"
echo "PASS"

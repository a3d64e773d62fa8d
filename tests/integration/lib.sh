# Shared helpers for the integration scenarios: start the emulator and slsfwd on 127.0.0.1,
# wait for conditions with deadlines (never a bare sleep as the verdict), check delivered sets.
set -euo pipefail
: "${SF_BUILD:?SF_BUILD must point at the build directory}"
# tool_port: read a started tool's port (shared with the tools' own tests).
. "$(dirname "${BASH_SOURCE[0]}")/../support/tool.sh"
T=$(mktemp -d /tmp/sf-it.XXXXXX)
PIDS=()
AK_ID=it-key-id
AK_SECRET=it-key-secret-0123456789
# Under a ThreadSanitizer build (make test-tsan) every process writes its reports to
# $T/tsan.<pid>: a process the test kills with -9 never reaches the exit code that would carry
# its report, so the files are the verdict (tsan_reports). Other builds ignore TSAN_OPTIONS.
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$T/tsan"

# tsan_reports: true when some process wrote a ThreadSanitizer report.
tsan_reports() {
    compgen -G "$T/tsan.*" >/dev/null
}

cleanup() {
    local rc=$?
    # A failing scenario may define on_fail to print what its logs cannot say (what is
    # missing, what the emulator holds), while its processes still run.
    if [ $rc -ne 0 ] && declare -F on_fail >/dev/null; then
        echo "--- on_fail ---"
        on_fail || true
    fi
    for pid in "${PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if tsan_reports; then
        echo "FAIL: ThreadSanitizer reports:" >&2
        cat "$T"/tsan.* >&2
        rc=1
    fi
    if [ $rc -ne 0 ]; then
        echo "--- test failed; logs in $T ---"
        for f in "$T"/*.log; do
            [ -f "$f" ] && { echo "== $f (tail)"; tail -n 25 "$f"; }
        done
    elif [ -z "${SF_KEEP:-}" ]; then
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# start_emulator ARGS...: sets EMU (base URL) and EMU_PID.
start_emulator() {
    "$SF_BUILD/sls-emulator" --listen 127.0.0.1:0 --access-key "$AK_ID:$AK_SECRET" "$@" \
        >"$T/emulator.out" 2>"$T/emulator.log" &
    EMU_PID=$!
    PIDS+=("$EMU_PID")
    local port
    port=$(tool_port sls-emulator "$T/emulator.out" "$EMU_PID") ||
        fail "emulator did not start: $(cat "$T/emulator.log")"
    EMU=http://127.0.0.1:$port
}

# free_port N: a base port P with P..P+N-1 free, for receivers that cannot pick their own
# port. Below 32768, so it never meets the kernel's ephemeral (outgoing) ports.
free_port() {
    local n=${1:-1} p i is_free
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 12000))
        is_free=1
        for i in $(seq 0 $((n - 1))); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$((p + i))") 2>/dev/null; then
                is_free=0
            fi
        done
        [ $is_free -eq 1 ] && { echo "$p"; return 0; }
    done
    fail "no free port found"
}

# start_receiver ARGS...: a HEC receiver recording to $T/received.ndjson; sets HEC_URL, RCV.
start_receiver() {
    local listen=${RECEIVER_LISTEN:-127.0.0.1:0}
    "$SF_BUILD/hec-receiver" --listen "$listen" --token "${HEC_TOKEN:-it-token}" \
        --out "$T/received.ndjson" "$@" >"$T/receiver.out" 2>>"$T/receiver.log" &
    RCV_PID=$!
    PIDS+=("$RCV_PID")
    local port
    port=$(tool_port hec-receiver "$T/receiver.out" "$RCV_PID") ||
        fail "receiver did not start: $(cat "$T/receiver.log")"
    HEC_URL=http://127.0.0.1:$port
    RCV=$HEC_URL/_receiver
}

rcv() { # rcv METHOD PATH [curl args...]
    local method=$1 path=$2
    shift 2
    curl -sf -X "$method" "$RCV$path" "$@"
}

received() { # events the receiver accepted
    rcv GET /stats | jq '.events.accepted'
}

emu() { # emu METHOD PATH [curl args...]
    local method=$1 path=$2
    shift 2
    curl -sf -X "$method" "$EMU$path" "$@"
}

# write_config FILE OUTPUT LOGSTORE... : a config for project "demo" with one source per logstore.
write_config() {
    local file=$1 output=$2
    shift 2
    {
        echo "sls:"
        echo "  endpoint: $EMU"
        echo "  project: demo"
        echo "  access_key_id: $AK_ID"
        echo "  access_key_secret: $AK_SECRET"
        echo "  consumer_group: ${CG:-it-cg}"
        echo "  heartbeat_interval: ${HEARTBEAT:-1s}"
        echo "  group_timeout: ${GROUP_TIMEOUT:-4s}"
        echo "  checkpoint_interval: ${CHECKPOINT:-1s}"
        echo "  fetch_interval: 300ms"
        [ -n "${PULL_COUNT:-}" ] && echo "  pull_count: $PULL_COUNT"
        [ -n "${ORDER:-}" ] && echo "  order: $ORDER"
        [ -n "${SIGN_VERSION:-}" ] && echo "  sign_version: $SIGN_VERSION" && echo "  region: cn-test"
        echo "sources:"
        for ls in "$@"; do
            echo "  - logstore: $ls"
        done
        echo "output:"
        if [ -n "${HEC_URL:-}" ]; then
            echo "  hec:"
            echo "    url: $HEC_URL"
            echo "    token: ${HEC_TOKEN:-it-token}"
            echo "    dead_letter_path: $output.dead-letter"
            echo "    retry_max_interval: 2s"
            echo "    auth_retry_interval: 1s"
            echo "    linger: 200ms"
            printf '%s\n' "${HEC_EXTRA:-}" | sed '/^$/d; s/^/    /'
        else
            echo "  file:"
            echo "    path: $output"
        fi
        echo "metrics:"
        echo "  listen: 127.0.0.1:0"
        echo "limits:"
        echo "  drain_timeout: 20s"
        echo "  workers: ${WORKERS:-2}"
        [ -n "${MAX_BUFFERED:-}" ] && echo "  max_buffered_bytes: $MAX_BUFFERED"
        true
    } >"$file"
    chmod 600 "$file"
}

# start_slsfwd NAME CONFIG [ARGS...]: sets PID_<NAME>.
start_slsfwd() {
    local name=$1 config=$2
    shift 2
    "$SF_BUILD/slsfwd" run -c "$config" "$@" >"$T/$name.stdout" 2>"$T/$name.log" &
    local pid=$!
    PIDS+=("$pid")
    printf -v "PID_$name" '%s' "$pid"
}

# stop_slsfwd NAME: SIGTERM, wait, require exit 0.
stop_slsfwd() {
    local name=$1 var="PID_$1"
    local pid=${!var}
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    [ $rc -eq 0 ] || fail "slsfwd $name exited with $rc after SIGTERM"
}

count_lines() {
    local n=0
    for f in "$@"; do
        [ -f "$f" ] && n=$((n + $(wc -l <"$f")))
    done
    echo "$n"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        ! tsan_reports || fail "ThreadSanitizer report while waiting for $what"
        [ $SECONDS -lt $deadline ] || fail "timed out after ${seconds}s waiting for $what"
        sleep 0.2
    done
}

lines_at_least() { # lines_at_least N FILE...
    local want=$1
    shift
    [ "$(count_lines "$@")" -ge "$want" ]
}

seqcheck() {
    "$SF_BUILD/seqcheck" "$@"
}

# total logs the emulator holds in a logstore
emu_logs() {
    emu GET /_emulator/stats | jq "[.projects[] | select(.name==\"demo\") | .logstores[] | select(.name==\"$1\") | .shards[].logs] | add"
}

# syslog_output FILE LINE...: replaces the output block write_config wrote in FILE with
# output.syslog holding LINE... ("address: 127.0.0.1:5514", "protocol: tcp").
syslog_output() {
    local file=$1
    shift
    sed -i '/^output:/,/^metrics:/{/^metrics:/!d}' "$file"
    { echo "output:"; echo "  syslog:"; printf '    %s\n' "$@"; } >>"$file"
}

# run_syslog_mode NAME PROTOCOL FRAMING PORT PARSED TOTAL: slsfwd NAME ($T/NAME.yaml, consumer
# group cg-NAME, logstores nginx and audit) sends to the syslog server on 127.0.0.1:PORT
# (hostname sls-demo, app_name slsfwd; TLS against the test CA as "localhost") until the
# server's file PARSED holds TOTAL lines; then slsfwd stops. PARSED is emptied first.
run_syslog_mode() {
    local name=$1 protocol=$2 framing=$3 port=$4 parsed=$5 total=$6
    : >"$parsed"
    CG="cg-${name/_/-}" write_config "$T/$name.yaml" "$T/unused" nginx audit
    syslog_output "$T/$name.yaml" "address: 127.0.0.1:$port" "protocol: $protocol" \
        "framing: $framing" "hostname: sls-demo" "app_name: slsfwd" \
        "ca_file: $SF_TESTS/../data/tls/ca.pem" "server_name: localhost"
    start_slsfwd "$name" "$T/$name.yaml"
    wait_for 60 "$total messages at the syslog server ($name)" lines_at_least "$total" "$parsed"
    sleep 1
    stop_slsfwd "$name"
}

# rsyslog_msg_config DIR PORT: DIR/rsyslog.conf for an unprivileged rsyslog that takes plain TCP
# on 127.0.0.1:PORT and writes each message's MSG to DIR/parsed.log as a line {"msg": ...}.
rsyslog_msg_config() {
    local dir=$1 port=$2
    mkdir -p "$dir/work"
    cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work" maxMessageSize="256k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="out")
template(name="json" type="list" option.jsonf="on") {
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="out") { action(type="omfile" file="$dir/parsed.log" template="json") }
CONF
}

# start_rsyslog DIR: runs rsyslogd on DIR/rsyslog.conf (output in $T/rsyslog.log); sets RS_PID.
start_rsyslog() {
    rsyslogd -n -f "$1/rsyslog.conf" -i "$1/rsyslogd.pid" >>"$T/rsyslog.log" 2>&1 &
    RS_PID=$!
    PIDS+=("$RS_PID")
    sleep 1
}

# rsyslog_events FILE: the logs in an rsyslog_msg_config file as seqcheck's {"event": {...}}
# lines (each MSG is the log as JSON after a UTF-8 BOM).
rsyslog_events() {
    jq -c '{event: (.msg | ltrimstr("\ufeff") | fromjson)}' "$1"
}

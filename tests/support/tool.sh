# Shell helpers for tests that start a tool (sls-emulator, hec-receiver) and read its port;
# POSIX sh, so both sh and bash scripts can source it:
#   . "$SF_SOURCE/tests/support/tool.sh"
# The C twin is tests/support/spawn.c.

# tool_port NAME FILE PID [TRIES]: waits (0.1 s a try, 600 tries = 60 s by default) until
# FILE, the tool's stdout, holds "NAME listening on 127.0.0.1:PORT", and prints PORT. NAME
# may name a side listener ("sls-emulator sts"). Returns 1, printing nothing, when process
# PID exits first or the time runs out.
tool_port() {
    _tp_name=$1
    _tp_file=$2
    _tp_pid=$3
    _tp_tries=${4:-600}
    while [ "$_tp_tries" -gt 0 ]; do
        # The child creates the file: it may not exist yet on the first look.
        _tp_port=$(sed -n "s/^$_tp_name listening on 127\\.0\\.0\\.1:\\([0-9]*\\)\$/\\1/p" \
            "$_tp_file" 2>/dev/null || true)
        if [ -n "$_tp_port" ]; then
            echo "$_tp_port"
            return 0
        fi
        kill -0 "$_tp_pid" 2>/dev/null || return 1
        sleep 0.1
        _tp_tries=$((_tp_tries - 1))
    done
    return 1
}

# tool_start NAME OUT ERR COMMAND...: runs COMMAND in the background with stdout to OUT (removed
# first: a previous run's file still names its port) and stderr to ERR, waits for its port
# like tool_port (TOOL_TRIES tries, 600 by default), and sets TOOL_PID and TOOL_PORT. When it
# does not start: kills it and returns 1.
tool_start() {
    _tst_name=$1
    _tst_out=$2
    _tst_err=$3
    shift 3
    rm -f "$_tst_out"
    "$@" >"$_tst_out" 2>"$_tst_err" &
    TOOL_PID=$!
    if ! TOOL_PORT=$(tool_port "$_tst_name" "$_tst_out" "$TOOL_PID" "${TOOL_TRIES:-600}"); then
        kill "$TOOL_PID" 2>/dev/null
        return 1
    fi
}

# tool_stop NAME PID ERRFILE: SIGTERM, waits, and returns 0 when PID exited with 0; otherwise
# says so on stderr with ERRFILE (the tool's stderr) and returns 1.
tool_stop() {
    kill -TERM "$2"
    wait "$2"
    _ts_rc=$?
    if [ "$_ts_rc" -ne 0 ]; then
        echo "$1 exited with $_ts_rc after SIGTERM" >&2
        cat "$3" >&2
        return 1
    fi
    return 0
}

# check DESCRIPTION COMMAND...: runs COMMAND; prints "ok   DESCRIPTION" or, on stderr,
# "FAIL DESCRIPTION" and counts it in $failures (start it at 0).
check() {
    _ck_what=$1
    shift
    if "$@"; then
        echo "ok   $_ck_what"
    else
        echo "FAIL $_ck_what" >&2
        failures=$((failures + 1))
    fi
}

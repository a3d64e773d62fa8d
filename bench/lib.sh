# Plumbing shared by the shell benchmarks (sourced: `. "$(dirname "$0")/lib.sh"`, never run):
# a scratch directory, the SLS emulator and HEC receiver on ephemeral loopback ports, slsfwd's
# config blocks and its own CPU time and peak RSS. Each benchmark keeps what it measures; the
# names here start with bench_ so they do not collide with a script's own.
#
# Globals: $build (the build directory, set by the script before the calls below), $dir
# (scratch, removed at exit), $pids (every process started here, killed at exit).
# Not a benchmark (scripts/run-benches.sh wants a line of each kind in every bench/*.sh):
# bench: skip (shared plumbing, sourced by the benchmarks)
# bench-smoke: skip (shared plumbing, sourced by the benchmarks)

# bench_init [DIR]: the scratch directory (DIR if given, else a new one) and the exit trap.
bench_init() {
    dir=${1:-$(mktemp -d)}
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"' EXIT
}

# Starting a tool and reading its port is tests/support/tool.sh's (tool_start), shared with the
# tests; 300 s to start, since generating a large backlog takes a while on a loaded machine.
. "$(dirname "${BASH_SOURCE[0]}")/../tests/support/tool.sh"
TOOL_TRIES=3000

# bench_wait_line FILE PATTERN [PID]: waits until FILE holds PATTERN; fails once PID has exited.
bench_wait_line() {
    until grep -q "$2" "$1" 2>/dev/null; do
        if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
}

# bench_port FILE: the port of the "listening on 127.0.0.1:PORT" line a tool printed.
bench_port() {
    sed -n 's/.*127.0.0.1:\([0-9]*\)$/\1/p' "$1"
}

# bench_emulator LOGSTORE SHARDS [ARGS...]: starts the SLS emulator (project demo, no auth)
# with one logstore, ARGS added (e.g. --generate nginx:1000); sets $emu (pid) and $emu_port.
# Its stdout is $dir/emu.out, stderr $dir/emu.err. Fails if it exits before listening (e.g. it
# refused the shard count; the reason is in $dir/emu.err).
bench_emulator() {
    local logstore=$1 shards=$2
    shift 2
    tool_start sls-emulator "$dir/emu.out" "$dir/emu.err" "$build/sls-emulator" \
        --listen 127.0.0.1:0 --no-auth --quiet --project demo \
        --logstore "$logstore" --shards "$shards" "$@" || return 1
    emu=$TOOL_PID
    emu_port=$TOOL_PORT
    pids+=($emu)
}

# bench_receiver [ARGS...]: starts the HEC receiver (token bench-token, count-only) with ARGS
# added (e.g. --fault type=503); sets $hec (pid) and $hec_port.
bench_receiver() {
    tool_start hec-receiver "$dir/hec.out" /dev/null "$build/hec-receiver" \
        --listen 127.0.0.1:0 --token bench-token --count-only --quiet "$@" || return 1
    hec=$TOOL_PID
    hec_port=$TOOL_PORT
    pids+=($hec)
}

# bench_raw_bytes: the uncompressed bytes of every log the emulator holds.
bench_raw_bytes() {
    curl -s "http://127.0.0.1:$emu_port/_emulator/stats" |
        jq '[.projects[].logstores[].shards[].raw_bytes_total] | add'
}

# bench_served_raw_bytes: the raw (decompressed) bytes the emulator served in pulls so far.
bench_served_raw_bytes() {
    curl -s "http://127.0.0.1:$emu_port/_emulator/stats" | jq '.pull.bytes_raw'
}

# bench_sls_yaml LOGSTORE: slsfwd's sls: block for the emulator (consumer group "bench").
bench_sls_yaml() {
    cat <<YAML
sls:
  endpoint: http://127.0.0.1:$emu_port
  project: demo
  logstore: $1
  access_key_id: bench
  access_key_secret: bench-secret
  consumer_group: bench
YAML
}

# bench_hec_yaml [GZIP]: the output.hec block for the receiver; GZIP on|off adds `gzip:`.
bench_hec_yaml() {
    echo "output:"
    echo "  hec:"
    echo "    url: http://127.0.0.1:$hec_port"
    echo "    token: bench-token"
    if [ -n "${1:-}" ]; then
        echo "    gzip: $([ "$1" = on ] && echo true || echo false)"
    fi
    echo "    health_check: false"
}

# bench_hec_setup KIND LOGS SHARDS GZIP: the emulator with LOGS generated logs of KIND on
# SHARDS shards, the receiver, and $dir/slsfwd.yaml from one to the other (no /metrics);
# sets $raw_bytes besides what bench_emulator and bench_receiver set.
bench_hec_setup() {
    bench_emulator "$1" "$3" --generate "$1:$2" || return 1
    bench_receiver
    raw_bytes=$(bench_raw_bytes)
    cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml "$1")
$(bench_hec_yaml "$4")
metrics:
  listen: ""
YAML
}

# bench_slsfwd [ARGS...]: starts `slsfwd run` on $dir/slsfwd.yaml (made private first, as
# slsfwd demands of a file with a secret), ARGS added; log in $dir/slsfwd.log; sets $fwd.
bench_slsfwd() {
    chmod 600 "$dir/slsfwd.yaml"
    "$build/slsfwd" run -c "$dir/slsfwd.yaml" "$@" 2>"$dir/slsfwd.log" &
    fwd=$!
    pids+=($fwd)
}

# bench_accepted: the events the HEC receiver accepted so far.
bench_accepted() {
    curl -s "http://127.0.0.1:$hec_port/_receiver/stats" | jq '.events.accepted'
}

# bench_cpu_s PID: the process's CPU seconds (user + system) so far.
bench_cpu_s() {
    awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"
}

# bench_cpu_ns PID: the CPU nanoseconds its live threads have run so far (schedstat): precise
# where bench_cpu_s counts 10 ms ticks, for a difference over part of a run.
bench_cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'
}

# bench_rss_kb PID: the process's peak resident set (VmHWM) in KiB.
bench_rss_kb() {
    awk '/VmHWM/ {print $2}' "/proc/$1/status"
}

# bench_stop PID...: SIGTERM, then waits for each (its exit status does not matter here).
bench_stop() {
    kill -TERM "$@" 2>/dev/null || true
    wait "$@" 2>/dev/null || true
}

# Shared by the end-to-end benchmark scripts (bash): the bundled peers on free ports of
# 127.0.0.1. The script sets $build and $dir and keeps an array `pids` that its EXIT trap
# kills.
# bench: skip (a library the end-to-end scripts source)
# bench-smoke: skip (a library the end-to-end scripts source)
. "$(dirname "${BASH_SOURCE[0]}")/../tests/support/tool.sh"
TOOL_TRIES=3000 # 300 s: generating a large backlog takes a while on a loaded machine

# bench_emulator ARGS...: sls-emulator --no-auth --quiet with project demo and ARGS (its
# logstores); stdout in $dir/emu.out, stderr in $dir/emu.err. Sets EMU_PID and EMU_PORT;
# returns 1 when it did not start.
bench_emulator() {
    tool_start sls-emulator "$dir/emu.out" "$dir/emu.err" "$build/sls-emulator" \
        --listen 127.0.0.1:0 --no-auth --quiet --project demo "$@" || return 1
    EMU_PID=$TOOL_PID
    EMU_PORT=$TOOL_PORT
    pids+=("$EMU_PID")
}

# bench_receiver ARGS...: a --count-only hec-receiver for token bench-token, plus ARGS.
# Sets HEC_PID and HEC_PORT.
bench_receiver() {
    tool_start hec-receiver "$dir/hec.out" /dev/null "$build/hec-receiver" \
        --listen 127.0.0.1:0 --token bench-token --count-only --quiet "$@" || return 1
    HEC_PID=$TOOL_PID
    HEC_PORT=$TOOL_PORT
    pids+=("$HEC_PID")
}

# emu_raw_bytes: the raw bytes of every LogGroup the emulator holds.
emu_raw_bytes() {
    curl -s "http://127.0.0.1:$EMU_PORT/_emulator/stats" |
        jq '[.projects[].logstores[].shards[].raw_bytes_total] | add'
}

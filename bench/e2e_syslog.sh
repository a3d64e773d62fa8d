#!/usr/bin/env bash
# Throughput of the syslog sink: the emulator serves N generated nginx logs, slsfwd sends them
# as RFC 5424 (octet counting, JSON MSG) over TCP to a discarding sink (bench/tcp_sink). One line:
#   RESULT bench=e2e_syslog data=nginx events=<n> raw_mb=<x> cpu_s=<y> raw_mb_per_cpu_s=<z>
#          events_per_s=<e> wall_s=<w> peak_rss_mb=<r>
# Completion = slsfwd's checkpoints reached the end (kernel-acknowledged delivery).
# Usage: bench/e2e_syslog.sh [BUILD_DIR] [LOGS]
# bench: bench/e2e_syslog.sh $BUILD 1000000
# bench-smoke: bench/e2e_syslog.sh $BUILD 20000
set -euo pipefail
. "$(dirname "$0")/lib.sh" # bench_emulator, bench_receiver, emu_raw_bytes
build=${1:-build}
logs=${2:-1000000}
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"' EXIT
bench_emulator --logstore nginx --shards 4 --generate "nginx:$logs"
emu=$EMU_PID emu_port=$EMU_PORT
tool_start tcp_sink "$dir/sink.out" "$dir/sink.err" "$build/bench/tcp_sink"
sink=$TOOL_PID sink_port=$TOOL_PORT
pids+=($sink)
raw_bytes=$(emu_raw_bytes)
cat >"$dir/slsfwd.yaml" <<YAML
sls:
  endpoint: http://127.0.0.1:$emu_port
  project: demo
  logstore: nginx
  access_key_id: bench
  access_key_secret: bench-secret
  consumer_group: bench
  checkpoint_interval: 1s
output:
  syslog:
    address: 127.0.0.1:$sink_port
metrics:
  listen: ""
YAML
chmod 600 "$dir/slsfwd.yaml"
start=$(date +%s.%N)
"$build/slsfwd" run -c "$dir/slsfwd.yaml" 2>"$dir/slsfwd.log" &
fwd=$!
pids+=($fwd)
# Done when every shard's checkpoint is at its end cursor.
until curl -s "http://127.0.0.1:$emu_port/_emulator/stats" | jq -e '
    .projects[].logstores[] | (.shards | map({key: (.shardID|tostring), value: .end_cursor}) | from_entries) as $ends
    | [.consumer_groups[].shards[] | select(.checkpoint == $ends[(.shard|tostring)])] | length == 4' >/dev/null; do
    sleep 0.05
done
end=$(date +%s.%N)
cpu=$(awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$fwd/stat")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$fwd/status")
kill -TERM "$fwd"
wait "$fwd" || true
awk -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" -v cpu="$cpu" -v rss="$rss" \
    'BEGIN { w = e - s; mb = raw / 1e6;
    printf "RESULT bench=e2e_syslog data=nginx events=%d raw_mb=%.1f cpu_s=%.2f raw_mb_per_cpu_s=%.1f events_per_s=%.0f wall_s=%.2f peak_rss_mb=%.1f\n",
           n, mb, cpu, mb / cpu, n / w, w, rss / 1024 }'

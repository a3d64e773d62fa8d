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
build=${1:-build}
logs=${2:-1000000}
. "$(dirname "$0")/lib.sh"
bench_init
bench_emulator nginx 4 --generate "nginx:$logs"
"$build/bench/tcp_sink" >"$dir/sink.out" 2>"$dir/sink.err" &
sink=$!
pids+=($sink)
bench_wait_line "$dir/sink.out" listening "$sink"
sink_port=$(bench_port "$dir/sink.out")
raw_bytes=$(bench_raw_bytes)
cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml nginx)
  checkpoint_interval: 1s
output:
  syslog:
    address: 127.0.0.1:$sink_port
metrics:
  listen: ""
YAML
start=$(date +%s.%N)
bench_slsfwd
# Done when every shard's checkpoint is at its end cursor.
until curl -s "http://127.0.0.1:$emu_port/_emulator/stats" | jq -e '
    .projects[].logstores[] | (.shards | map({key: (.shardID|tostring), value: .end_cursor}) | from_entries) as $ends
    | [.consumer_groups[].shards[] | select(.checkpoint == $ends[(.shard|tostring)])] | length == 4' >/dev/null; do
    sleep 0.05
done
end=$(date +%s.%N)
cpu=$(bench_cpu_s "$fwd")
rss=$(bench_rss_kb "$fwd")
bench_stop "$fwd"
awk -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" -v cpu="$cpu" -v rss="$rss" \
    'BEGIN { w = e - s; mb = raw / 1e6;
    printf "RESULT bench=e2e_syslog data=nginx events=%d raw_mb=%.1f cpu_s=%.2f raw_mb_per_cpu_s=%.1f events_per_s=%.0f wall_s=%.2f peak_rss_mb=%.1f\n",
           n, mb, cpu, mb / cpu, n / w, w, rss / 1024 }'

#!/usr/bin/env bash
# End-to-end throughput of `slsfwd run` with the file sink: the SLS emulator serves N generated
# nginx logs (lz4), slsfwd delivers them to an NDJSON file on tmpfs. Prints one line:
#   RESULT bench=e2e_file data=nginx events=<n> raw_mb=<x> wall_s=<w> events_per_s=<e>
#          cpu_s=<y> raw_mb_per_cpu_s=<z> peak_rss_mb=<r>
# cpu_s and peak RSS are slsfwd's own (/proc/<pid>/stat and status), read just before it stops.
# Usage: bench/e2e_file.sh [BUILD_DIR] [LOGS]
# bench: bench/e2e_file.sh $BUILD 1000000
# bench-smoke: bench/e2e_file.sh $BUILD 20000
set -euo pipefail
. "$(dirname "$0")/../tests/support/tool.sh" # tool_port
build=${1:-build}
logs=${2:-1000000}
dir=$(mktemp -d /dev/shm/sf-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'kill $emu_pid $fwd_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

"$build/sls-emulator" --listen 127.0.0.1:0 --no-auth --quiet --project demo --logstore nginx \
    --shards 4 --generate "nginx:$logs" >"$dir/emu.out" 2>"$dir/emu.log" &
emu_pid=$!
port=$(tool_port sls-emulator "$dir/emu.out" "$emu_pid" 3000)
raw_bytes=$(curl -s "http://127.0.0.1:$port/_emulator/stats" |
    jq '[.projects[].logstores[].shards[].raw_bytes_total] | add')

cat >"$dir/slsfwd.yaml" <<YAML
sls:
  endpoint: http://127.0.0.1:$port
  project: demo
  logstore: nginx
  access_key_id: bench
  access_key_secret: bench-secret
  consumer_group: bench
output:
  file:
    path: $dir/out.ndjson
YAML
chmod 600 "$dir/slsfwd.yaml"
start=$(date +%s.%N)
"$build/slsfwd" run -c "$dir/slsfwd.yaml" 2>"$dir/slsfwd.log" &
fwd_pid=$!
while [ "$(wc -l 2>/dev/null <"$dir/out.ndjson" || echo 0)" -lt "$logs" ]; do
    sleep 0.05
done
end=$(date +%s.%N)
ticks=$(getconf CLK_TCK)
cpu_s=$(awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$fwd_pid/stat")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$fwd_pid/status")
kill -TERM "$fwd_pid"
wait "$fwd_pid" || true
awk -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" -v cpu="$cpu_s" -v rss="$rss_kb" \
    'BEGIN { w = e - s; mb = raw / 1e6;
             printf "RESULT bench=e2e_file data=nginx events=%d raw_mb=%.1f wall_s=%.2f events_per_s=%.0f cpu_s=%.2f raw_mb_per_cpu_s=%.1f peak_rss_mb=%.1f\n",
                    n, mb, w, n / w, cpu, mb / cpu, rss / 1024 }'

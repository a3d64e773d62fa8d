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
build=${1:-build}
logs=${2:-1000000}
. "$(dirname "$0")/lib.sh"
bench_init "$(mktemp -d /dev/shm/sf-bench.XXXXXX 2>/dev/null || mktemp -d)"
bench_emulator nginx 4 --generate "nginx:$logs"
raw_bytes=$(bench_raw_bytes)

cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml nginx)
output:
  file:
    path: $dir/out.ndjson
YAML
start=$(date +%s.%N)
bench_slsfwd
while [ "$(wc -l 2>/dev/null <"$dir/out.ndjson" || echo 0)" -lt "$logs" ]; do
    sleep 0.05
done
end=$(date +%s.%N)
cpu_s=$(bench_cpu_s "$fwd")
rss_kb=$(bench_rss_kb "$fwd")
bench_stop "$fwd"
awk -v n="$logs" -v raw="$raw_bytes" -v s="$start" -v e="$end" -v cpu="$cpu_s" -v rss="$rss_kb" \
    'BEGIN { w = e - s; mb = raw / 1e6;
             printf "RESULT bench=e2e_file data=nginx events=%d raw_mb=%.1f wall_s=%.2f events_per_s=%.0f cpu_s=%.2f raw_mb_per_cpu_s=%.1f peak_rss_mb=%.1f\n",
                    n, mb, w, n / w, cpu, mb / cpu, rss / 1024 }'

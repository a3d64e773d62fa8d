#!/usr/bin/env bash
# Ingest reduction (issue 12 §5): the SLS emulator serves generated logs (lz4), slsfwd sends
# them to the HEC receiver (count-only, plain HTTP, gzip on), once without a filter, once with
# a realistic client-side one, and once with the same filter as SPL on pull (`sls.query`: the
# emulator filters before the data leaves it). For each data set and filter, one line:
#   RESULT bench=ingest data=<nginx|actiontrail> filter=<none|client|spl> events_in=<n>
#          events_out=<n> hec_bytes=<uncompressed body bytes> hec_wire_bytes=<gzip bytes>
#          raw_mb=<x> cpu_s=<y> raw_mb_per_cpu_s=<z>
# The filters: nginx keeps only `status >= 400`; ActionTrail drops read-only events (a regex
# on the event's JSON text) and every tag (SPL: the same `where`, tags kept). Done when
# events_out + events_filtered on /metrics reach the logs served (spl: when events_out reaches
# what the client filter kept); cpu_s is slsfwd's own (/proc/<pid>/stat), read just before it
# stops; wire_mb is what slsfwd pulled from SLS (compressed), from /metrics.
# Usage: bench/ingest.sh [BUILD_DIR] [NGINX_LOGS] [ACTIONTRAIL_LOGS]
# bench: bench/ingest.sh $BUILD 500000 100000
# bench-smoke: bench/ingest.sh $BUILD 20000 5000
set -euo pipefail
build=${1:-build}
nginx_logs=${2:-1000000}
actiontrail_logs=${3:-200000}
. "$(dirname "$0")/lib.sh"
bench_init

filters_of() { # filters_of KIND FILTER: the source's filters block, or its SPL query
    if [ "$2" = spl ]; then
        if [ "$1" = nginx ]; then
            echo '  query: "* | where cast(status as bigint) >= 400"'
        else
            echo "  query: '* | where event not like ''%\"eventRW\":\"Read\"%'''"
        fi
        return 0
    fi
    [ "$2" = client ] || return 0
    if [ "$1" = nginx ]; then
        printf '  filters:\n    keep_if: ["status >= 400"]\n'
    else
        printf "  filters:\n    drop_if: ['event~\"eventRW\":\"Read\"']\n"
        printf '    drop_fields: ["__tag__:*"]\n'
    fi
}

metric() { # metric PORT NAME: the value summed over sources
    curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" 'index($1, n "{") == 1 {s += $2} END {printf "%d", s}'
}

run_one() { # run_one KIND LOGS FILTER [EXPECTED_OUT]: sets LAST_OUT
    local kind=$1 logs=$2 filter=$3 expected=${4:-0}
    rm -f "$dir/slsfwd.log"
    bench_emulator "$kind" 4 --generate "$kind:$logs"
    bench_receiver
    local raw_bytes
    raw_bytes=$(bench_raw_bytes)
    cat >"$dir/slsfwd.yaml" <<YAML
$(bench_sls_yaml "$kind")
$(filters_of "$kind" "$filter")
$(bench_hec_yaml)
metrics:
  listen: 127.0.0.1:0
YAML
    bench_slsfwd
    bench_wait_line "$dir/slsfwd.log" 'msg="metrics listening"' "$fwd"
    local mport
    mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$dir/slsfwd.log" | head -1)
    local out filtered
    while :; do
        out=$(metric "$mport" slsfwd_events_out_total)
        filtered=$(metric "$mport" slsfwd_events_filtered_total)
        if [ "$filter" = spl ]; then
            [ "$out" -ge "$expected" ] && break
        else
            [ $((out + filtered)) -ge "$logs" ] && break
        fi
        sleep 0.05
    done
    local cpu stats
    cpu=$(bench_cpu_s "$fwd")
    stats=$(curl -s "http://127.0.0.1:$hec_port/_receiver/stats")
    local wire
    wire=$(curl -s "http://127.0.0.1:$mport/metrics" | awk '$1 ~ /^slsfwd_pulled_bytes_total\{.*kind="wire"/ {s += $2} END {printf "%d", s}')
    # A renamed metric would read as 0 bytes pulled: stop rather than print a wrong figure.
    if [ "${wire:-0}" -le 0 ]; then
        echo "ingest.sh: no slsfwd_pulled_bytes_total{kind=\"wire\"} on slsfwd's /metrics" >&2
        exit 1
    fi
    LAST_OUT=$(jq .events.accepted <<<"$stats")
    bench_stop "$fwd"
    bench_stop "$emu" "$hec"
    awk -v k="$kind" -v f="$filter" -v n="$logs" -v o="$(jq .events.accepted <<<"$stats")" \
        -v hb="$(jq .bytes.decompressed <<<"$stats")" -v hw="$(jq .bytes.wire <<<"$stats")" \
        -v raw="$raw_bytes" -v cpu="$cpu" -v wire="$wire" 'BEGIN { mb = raw / 1e6;
        printf "RESULT bench=ingest data=%s filter=%s events_in=%d events_out=%d hec_bytes=%d hec_wire_bytes=%d raw_mb=%.1f wire_mb=%.1f cpu_s=%.2f raw_mb_per_cpu_s=%.1f\n",
               k, f, n, o, hb, hw, mb, wire / 1e6, cpu, mb / cpu }'
}

for kind in nginx actiontrail; do
    logs=$nginx_logs
    [ "$kind" = actiontrail ] && logs=$actiontrail_logs
    for filter in none client; do
        run_one "$kind" "$logs" "$filter"
    done
    run_one "$kind" "$logs" spl "$LAST_OUT" # the same predicate, applied by SLS
done

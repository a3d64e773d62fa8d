#!/usr/bin/env bash
# A real Prometheus (Debian's package) scrapes a running slsfwd with HEC and syslog outputs:
# its parser takes the exposition, and every metric family the Grafana dashboard
# (packaging/grafana/slsfwd-dashboard.json) and the alert rules
# (packaging/prometheus/slsfwd-rules.yaml) use has series in it. Every dashboard query must
# also be valid PromQL, and the scrape must keep the naming rules (tools/check_exposition.sh,
# promtool check metrics).
source "$SF_TESTS/lib.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
    fail "prometheus is not installed (scripts/install-deps.sh installs it)"
command -v jq >/dev/null || fail "jq is not installed (scripts/install-deps.sh installs it)"
REPO=$(cd "$SF_TESTS/../.." && pwd)
DASHBOARD=$REPO/packaging/grafana/slsfwd-dashboard.json
RULES=$REPO/packaging/prometheus/slsfwd-rules.yaml

# The dashboard: valid JSON, the ${DS_PROMETHEUS} data source everywhere, the two variables.
jq -e . "$DASHBOARD" >/dev/null || fail "$DASHBOARD is not valid JSON"
jq -e '.schemaVersion >= 36 and (.__inputs[0].name == "DS_PROMETHEUS")' "$DASHBOARD" >/dev/null ||
    fail "$DASHBOARD: schemaVersion or the DS_PROMETHEUS input is missing"
for var in DS_PROMETHEUS instance source; do
    jq -e --arg v "$var" '[.templating.list[].name] | index($v) != null' "$DASHBOARD" >/dev/null ||
        fail "$DASHBOARD: no template variable $var"
done
jq -e '[.panels[] | select(.type != "row") | .targets[]? | .datasource.uid] | all(. == "${DS_PROMETHEUS}")' \
    "$DASHBOARD" >/dev/null || fail "$DASHBOARD: a query does not use \${DS_PROMETHEUS}"
jq -r '.panels[] | select(.type != "row") | .targets[]? | .expr' "$DASHBOARD" >"$T/dashboard.exprs"
[ -s "$T/dashboard.exprs" ] || fail "$DASHBOARD has no queries"

# Metric names: every slsfwd_* word outside YAML comment lines (the rules' header talks about
# "slsfwd_* metrics"); from the rules, less the names the rules record themselves.
metric_names() {
    grep -v '^[[:space:]]*#' "$1" | grep -o 'slsfwd_[a-zA-Z0-9_:]*[a-zA-Z0-9]' | grep -v ':' |
        sort -u
}
metric_names "$DASHBOARD" >"$T/families"
if [ -f "$RULES" ]; then
    sed -n 's/^[[:space:]-]*record:[[:space:]]*["'\'']\{0,1\}\([a-zA-Z0-9_:]*\).*/\1/p' "$RULES" |
        sort -u >"$T/recorded"
    metric_names "$RULES" | comm -23 - "$T/recorded" >>"$T/families"
    sort -u -o "$T/families" "$T/families"
fi

# One pull fails once, so slsfwd_pull_errors_total has a series (it has none without errors).
start_emulator --project demo --logstore nginx --shards 2 --generate nginx:2000 \
    --fault api=PullLogs,type=503,rate=1,count=1
start_receiver
"$SF_BUILD/syslog-recorder" --listen 127.0.0.1:0 --out "$T/syslog.ndjson" \
    >"$T/recorder.out" 2>"$T/recorder.log" &
PIDS+=($!)
wait_for 20 "the syslog recorder" grep -q '^syslog-recorder listening on' "$T/recorder.out"
syslog_addr=$(sed -n 's/^syslog-recorder listening on \(.*\)$/\1/p' "$T/recorder.out")
write_config "$T/a.yaml" "$T/out" nginx
printf '  syslog:\n    address: %s\n' "$syslog_addr" >"$T/syslog-block"
sed -i "/^  hec:/e cat $T/syslog-block" "$T/a.yaml"
grep -q '^  syslog:' "$T/a.yaml" || fail "config: no syslog block"
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
wait_for 60 "2000 events at HEC" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 2000 ]"
wait_for 60 "2000 events at syslog" lines_at_least 2000 "$T/syslog.ndjson"
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
bash "$SF_TESTS/tools/check_exposition.sh" "$T/metrics.txt" || fail "metric names break the rules"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$T/promtool.out")"
while read -r name; do
    grep -q "^$name[{ ]" "$T/metrics.txt" || echo "$name" >>"$T/missing-in-metrics"
done <"$T/families"
[ ! -s "$T/missing-in-metrics" ] ||
    fail "used by the dashboard or the rules but not in slsfwd's /metrics: $(tr '\n' ' ' <"$T/missing-in-metrics")"

# Prometheus scrapes every second; its data stays in $T. Its port is picked free; should
# another process take it first, prometheus exits at once and the next port is tried.
cat >"$T/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: slsfwd
    static_configs:
      - targets: ["127.0.0.1:$mport"]
CONF
prom_ready() {
    kill -0 "$PROM_PID" 2>/dev/null || return 2
    curl -sf "$PROM/-/ready" -o /dev/null || return 1
}
for attempt in 1 2 3; do
    pport=$(free_port 1)
    prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prometheus-data" \
        --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$T/prometheus.log" 2>&1 &
    PROM_PID=$!
    PIDS+=("$PROM_PID")
    PROM=http://127.0.0.1:$pport
    deadline=$((SECONDS + 40))
    rc=1
    while [ $SECONDS -lt $deadline ]; do
        rc=0
        prom_ready || rc=$?
        [ $rc -eq 1 ] || break
        sleep 0.2
    done
    [ $rc -eq 0 ] && break
    [ $rc -eq 2 ] && grep -q 'address already in use' "$T/prometheus.log" && continue
    [ $rc -eq 2 ] && fail "prometheus exited: $(tail -5 "$T/prometheus.log")"
    fail "prometheus was not ready after 40 s: $(tail -5 "$T/prometheus.log")"
done
[ $rc -eq 0 ] || fail "prometheus found no free port in 3 attempts: $(tail -5 "$T/prometheus.log")"
target_up() {
    curl -sf "$PROM/api/v1/targets" -o "$T/targets.json" &&
        jq -e '[.data.activeTargets[] | select(.health == "up")] | length == 1' "$T/targets.json" >/dev/null
}
wait_for 40 "a successful scrape of slsfwd" target_up

# query EXPR: the result vector of an instant query (curl's own encoding of the expression).
query() {
    curl -s -G "$PROM/api/v1/query" --data-urlencode "query=$1"
}
# A family has series once one scrape carried it; last_over_time looks past a later scrape
# that timed out on a loaded machine (its stale markers would hide an instant selector).
has_series() {
    query "last_over_time($1{job=\"slsfwd\"}[5m])" | jq -e '.status == "success" and (.data.result | length) > 0' >/dev/null
}
missing=()
for name in $(cat "$T/families"); do
    deadline=$((SECONDS + 10))
    until has_series "$name"; do
        [ $SECONDS -lt $deadline ] || { missing+=("$name"); break; }
        sleep 0.5
    done
done
[ ${#missing[@]} -eq 0 ] || fail "no series in Prometheus for: ${missing[*]}"

# Every dashboard query runs, with the variables set to match everything.
while read -r expr; do
    q=${expr//\$__rate_interval/1m}
    q=${q//\$instance/.*}
    q=${q//\$source/.*}
    query "$q" >"$T/answer.json" 2>/dev/null || true
    jq -e '.status == "success"' "$T/answer.json" >/dev/null 2>&1 ||
        fail "dashboard query refused by Prometheus: $expr ($(cat "$T/answer.json" 2>/dev/null))"
done <"$T/dashboard.exprs"

n=$(wc -l <"$T/families")
stop_slsfwd a
echo "PASS: $n families in /metrics and in Prometheus, $(wc -l <"$T/dashboard.exprs") dashboard queries"

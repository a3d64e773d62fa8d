#!/usr/bin/env bash
# /metrics and /healthz after a run: the names a dashboard needs, with values that match what
# was delivered; secrets never appear in logs or metrics.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:2000
start_receiver
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
wait_for 60 "2000 events" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 2000 ]"
wait_for 20 "ready" curl -sf "http://127.0.0.1:$mport/healthz" -o /dev/null
sleep 2
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
for name in slsfwd_events_in_total slsfwd_events_out_total slsfwd_pulled_bytes_total slsfwd_pulls_total \
    slsfwd_shard_lag_seconds slsfwd_shard_checkpoint_age_seconds slsfwd_checkpoint_commits_total \
    slsfwd_heartbeats_total slsfwd_rebalances_total slsfwd_buffered_bytes slsfwd_source_joined \
    slsfwd_hec_requests_total slsfwd_hec_in_flight slsfwd_hec_events_dead_lettered_total \
    slsfwd_hec_request_duration_seconds_count slsfwd_shard_pulled_bytes_total \
    slsfwd_hec_ack_resent_events_total slsfwd_hec_ack_id_repeats_total; do
    grep -q "^$name" "$T/metrics.txt" || fail "metric $name missing"
done
# HELP and TYPE for every family, counters in _total, units at the end (docs/operations.md).
bash "$SF_TESTS/tools/check_exposition.sh" "$T/metrics.txt" || fail "metric names break the rules"
out=$(awk '/^slsfwd_events_out_total\{source="demo\/nginx"\}/ {print $2}' "$T/metrics.txt")
[ "${out%.*}" -eq 2000 ] || fail "slsfwd_events_out_total is $out, expected 2000"
stop_slsfwd a
! grep -q "$AK_SECRET" "$T"/*.log "$T/metrics.txt" || fail "the AccessKey secret leaked"
! grep -q "it-token" "$T/a.log" "$T/metrics.txt" || fail "the HEC token leaked"
echo "PASS"

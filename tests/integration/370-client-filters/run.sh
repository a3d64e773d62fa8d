#!/usr/bin/env bash
# Client-side filters end to end: nginx keeps only errors (status >= 400) minus /favicon,
# without two bulky fields and with one renamed; ActionTrail drops read-only events and every
# tag (the global list); a third logstore's filter drops everything. The receiver gets exactly
# the events a jq model of the rules picks from an unfiltered run, every shard's checkpoint
# reaches its end (dropped events never stall a shard), and /metrics counts the dropped ones.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 4 --generate nginx:6000 \
    --logstore audit --shards 2 --generate actiontrail:1000 \
    --logstore quiet --shards 2 --generate nginx:1000

# The model's input: the logs of nginx and audit, unfiltered, through the file output.
CG=it-ref write_config "$T/ref.yaml" "$T/ref.ndjson" nginx audit
start_slsfwd ref "$T/ref.yaml"
wait_for 90 "7000 unfiltered events" lines_at_least 7000 "$T/ref.ndjson"
stop_slsfwd ref

# The model: the same rules, written in jq.
jq -c '
  def rw: .event.event | if type == "string" then . else tojson end;
  if .event | has("status") then
    select((.event.status | tonumber? // -1) >= 400 and (.event.request_uri | test("^/favicon") | not))
    | .event |= (del(.http_user_agent, .http_referer)
                 | with_entries(if .key == "request_uri" then .key = "uri" else . end))
  else
    select(rw | test("\"eventRW\":\"Read\"") | not)
    | .event |= with_entries(select(.key | startswith("__tag__:") | not))
  end' "$T/ref.ndjson" | sort >"$T/model.ndjson"
n_nginx=$(jq -c 'select(.event | has("status"))' "$T/ref.ndjson" | wc -l)
n_nginx_kept=$(jq -c 'select(.event | has("status"))' "$T/model.ndjson" | wc -l)
n_audit_kept=$(($(wc -l <"$T/model.ndjson") - n_nginx_kept))
[ "$n_nginx" -eq 6000 ] || fail "the unfiltered run has $n_nginx nginx events"
[ "$n_nginx_kept" -gt 100 ] && [ "$n_nginx_kept" -lt 5000 ] || fail "the model keeps $n_nginx_kept of 6000"
[ "$n_audit_kept" -gt 50 ] && [ "$n_audit_kept" -lt 1000 ] || fail "the model keeps $n_audit_kept of 1000"
echo "model: nginx $n_nginx_kept of 6000, audit $n_audit_kept of 1000, quiet 0 of 1000"

start_receiver
write_config "$T/a.yaml" "$T/out" nginx audit quiet
# nginx sets its own drop_fields, which replaces the global list: it keeps its tags.
python3 - "$T/a.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("  - logstore: nginx\n", """  - logstore: nginx
    filters:
      keep_if: ["status >= 400"]
      drop_if: ["request_uri~^/favicon"]
      drop_fields: [http_user_agent, "http_refer?r"]
      rename: ["request_uri=uri"]
""", 1).replace("  - logstore: audit\n", """  - logstore: audit
    filters:
      drop_if: ['event~"eventRW":"Read"']
""", 1).replace("  - logstore: quiet\n", """  - logstore: quiet
    filters:
      keep_if: ["status=999"]
""", 1)
text += """filters:
  drop_fields: ["__tag__:*"]
"""
open(path, "w").write(text)
PY
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
want=$(wc -l <"$T/model.ndjson")

# Every shard of every logstore, quiet included, commits its end for it-cg.
checkpoints_at_end() {
    local stats
    stats=$(curl -sf "$EMU/_emulator/stats") || return 1
    [ "$(jq '[.projects[].logstores[] | .shards as $s
              | (.consumer_groups[]? | select(.name == "it-cg") | .shards) as $c
              | range(0; $s | length) | select($c[.].checkpoint != $s[.].end_cursor)] | length' \
        <<<"$stats")" = 0 ] &&
        [ "$(jq '[.projects[].logstores[] | select(any(.consumer_groups[]?; .name == "it-cg"))] | length' <<<"$stats")" = 3 ]
}
wait_for 90 "$want events at the receiver" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge $want ]"
wait_for 60 "every checkpoint at its shard's end" checkpoints_at_end
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt"
stop_slsfwd a

jq -c 'del(._receiver_request, ._receiver_endpoint, ._receiver_token, ._receiver_channel)' \
    "$T/received.ndjson" | sort >"$T/got.ndjson"
diff -q "$T/model.ndjson" "$T/got.ndjson" >/dev/null ||
    fail "received events differ from the model: $(diff "$T/model.ndjson" "$T/got.ndjson" | head -5)"
! grep -q '"http_user_agent"\|"request_uri"' "$T/got.ndjson" || fail "a dropped or renamed field was sent"
grep -q '"__tag__:' <(jq -c 'select(.event | has("status"))' "$T/got.ndjson") ||
    fail "nginx lost its tags: its own drop_fields should replace the global one"

metric() { # metric NAME SOURCE
    awk -v n="$1{source=\"demo/$2\"}" '$1 == n {print $2}' "$T/metrics.txt"
}
for ls in nginx:$((6000 - n_nginx_kept)):$n_nginx_kept audit:$((1000 - n_audit_kept)):$n_audit_kept quiet:1000:0; do
    IFS=: read -r name dropped kept <<<"$ls"
    f=$(metric slsfwd_events_filtered_total "$name")
    in=$(metric slsfwd_events_in_total "$name")
    out=$(metric slsfwd_events_out_total "$name")
    echo "$name: in=$in out=$out filtered=$f"
    [ "${f%.*}" -eq "$dropped" ] || fail "$name: slsfwd_events_filtered_total is $f, want $dropped"
    [ "${out%.*}" -eq "$kept" ] || fail "$name: slsfwd_events_out_total is $out, want $kept"
    [ "${in%.*}" -eq $((dropped + kept)) ] || fail "$name: slsfwd_events_in_total is $in"
done
echo "PASS"

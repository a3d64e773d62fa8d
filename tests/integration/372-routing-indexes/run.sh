#!/usr/bin/env bash
# Two logstores routed by per-source mapping and templates: ActionTrail to index security with
# its own sourcetype, nginx to index web; the global sourcetype and host are templates over
# each log's topic and hostname tag, nginx's source names its project, logstore and status.
# Every event at the receiver carries exactly the metadata its log and source call for.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000 \
    --logstore audit --shards 2 --generate actiontrail:1000
start_receiver
write_config "$T/a.yaml" "$T/out" nginx audit
sed -i 's/^  - logstore: audit$/  - logstore: audit\n    mapping:\n      index: security\n      sourcetype: alicloud:actiontrail/; s/^  - logstore: nginx$/  - logstore: nginx\n    mapping:\n      index: web\n      source: "{project}\/{logstore}:{status|none}"/' "$T/a.yaml"
cat >>"$T/a.yaml" <<YAML
mapping:
  sourcetype: "aliyun:{__topic__|access}"
  host: "{__tag__:__hostname__|unknown}"
YAML
grep -q 'index: security' "$T/a.yaml" && grep -q 'index: web' "$T/a.yaml" || fail "config not written"
start_slsfwd a "$T/a.yaml"
wait_for 60 "5000 events at the receiver" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 5000 ]"
stop_slsfwd a
seqcheck --expect 5000 "$T/received.ndjson"

web=$(jq -c 'select(.index == "web")' "$T/received.ndjson" | wc -l)
security=$(jq -c 'select(.index == "security")' "$T/received.ndjson" | wc -l)
echo "index=web: $web, index=security: $security"
[ "$web" -ge 4000 ] && [ "$security" -ge 1000 ] || fail "events by index: web=$web security=$security"
# nginx: no topic, so the fallback; host from the tag; source from the source and the log.
bad=$(jq -c 'select(.index == "web") | select(.sourcetype != "aliyun:access"
    or .host != .event["__tag__:__hostname__"] or (.host | test("^web-[0-9]+$") | not)
    or .source != ("demo/nginx:" + .event.status))' "$T/received.ndjson" | head -3)
[ -z "$bad" ] || fail "nginx events with the wrong metadata: $bad"
# ActionTrail: the source's own sourcetype over the global template, the global host template.
bad=$(jq -c 'select(.index == "security") | select(.sourcetype != "alicloud:actiontrail"
    or .event["__topic__"] != "actiontrail_audit_event" or .source != null
    or .host != (.event["__tag__:__hostname__"] // "unknown"))' "$T/received.ndjson" | head -3)
[ -z "$bad" ] || fail "ActionTrail events with the wrong metadata: $bad"
other=$(jq -c 'select(.index != "web" and .index != "security")' "$T/received.ndjson" | wc -l)
[ "$other" -eq 0 ] || fail "$other events in neither index"

# A bad template stops the start with the file, line and key.
write_config "$T/bad.yaml" "$T/out" nginx
printf 'mapping:\n  index: "sls-{__topic__"\n' >>"$T/bad.yaml"
rc=0
"$SF_BUILD/slsfwd" check -c "$T/bad.yaml" >"$T/bad.out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a bad template was accepted"
line=$(grep -n 'index: "sls-{__topic__"' "$T/bad.yaml" | cut -d: -f1)
grep -q "bad.yaml:$line: mapping.index: template: '{' is not closed" "$T/bad.out" ||
    fail "no file:line:key for the bad template: $(cat "$T/bad.out")"
echo "PASS"

#!/usr/bin/env bash
# A logstore that already has 30 consumer groups: slsfwd stops at once with exit 1 and a message
# that explains the limit and how to clean up, instead of retrying forever.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 1
# Fill the logstore with 30 groups: one throwaway slsfwd per group name, killed once it joined.
for i in $(seq -w 1 30); do
    CG="full-$i" write_config "$T/g.yaml" "$T/g.ndjson" nginx
    start_slsfwd "g$i" "$T/g.yaml"
    pid_var="PID_g$i"
    wait_for 20 "group full-$i" bash -c "curl -sf $EMU/_emulator/stats | jq -e '[.projects[].logstores[].consumer_groups[] | select(.name == \"full-$i\")] | length == 1' >/dev/null"
    kill -9 "${!pid_var}"
done
CG=one-too-many write_config "$T/a.yaml" "$T/a.ndjson" nginx
rc=0
timeout 30 "$SF_BUILD/slsfwd" run -c "$T/a.yaml" 2>"$T/a.log" || rc=$?
[ $rc -eq 1 ] || fail "expected exit 1, got $rc"
grep -q 'maximum of 30 consumer groups' "$T/a.log" || fail "the message does not explain the limit"
grep -q 'delete_consumer_group' "$T/a.log" || fail "the message does not say how to clean up"
echo "PASS"

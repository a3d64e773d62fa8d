#!/usr/bin/env bash
# HEC refuses the token (disabled): delivery pauses with a loud error, nothing is committed;
# when the token is enabled again delivery resumes and every log arrives.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:3000
start_receiver
rcv POST /tokens/it-token/disable >/dev/null
write_config "$T/a.yaml" "$T/out" nginx
start_slsfwd a "$T/a.yaml"
sleep 6
[ "$(received)" -eq 0 ] || fail "events accepted with a disabled token"
# Nothing was confirmed, so a checkpoint can only be a shard's start (the begin cursor).
moved=$(emu GET /_emulator/stats | jq '[.projects[].logstores[] | (.shards | map({key: (.shardID|tostring), value: .begin_cursor}) | from_entries) as $begin
    | .consumer_groups[].shards[] | select(.checkpoint != "" and .checkpoint != null and .checkpoint != $begin[(.shard|tostring)])] | length')
[ "$moved" -eq 0 ] || fail "$moved checkpoints moved past the start while the token was refused"
grep -qE 'level=error module=hec.*(403|disabled)' "$T/a.log" || fail "no loud error about the token"
! grep -q 'token=it-token\|it-token' "$T/a.log" || fail "the token appears in the log"
rcv POST /tokens/it-token/enable >/dev/null
wait_for 60 "3000 events after the fix" bash -c "\"$SF_BUILD/seqcheck\" --expect 3000 $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd a
seqcheck --expect 3000 --max-dup 0 "$T/received.ndjson"
echo "PASS"

#!/usr/bin/env bash
# `slsfwd check`: one line per check, exit 0 when all pass, 1 with a reason otherwise (bad
# AccessKey, bad HEC token, nothing listening). `slsfwd status`: per shard checkpoint and lag.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:1000
start_receiver
write_config "$T/a.yaml" "$T/out" nginx
"$SF_BUILD/slsfwd" check -c "$T/a.yaml" >"$T/check.txt" 2>"$T/check.log" || fail "check failed: $(cat "$T/check.txt")"
cat "$T/check.txt"
grep -q '^ok   source demo/nginx .*credentials accepted, 2 shards' "$T/check.txt" || fail "no source line"
grep -q '^ok   source demo/nginx .*consumer group it-cg will be created' "$T/check.txt" || fail "no group line"
grep -q '^ok   hec http://127.0.0.1:.*/services/collector/event' "$T/check.txt" || fail "no HEC line"

sed "s/access_key_secret: .*/access_key_secret: wrong-secret/" "$T/a.yaml" >"$T/bad-ak.yaml"
rc=0
"$SF_BUILD/slsfwd" check -c "$T/bad-ak.yaml" >"$T/bad-ak.txt" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check with a wrong secret exited $rc"
grep -q '^FAIL source demo/nginx .*SignatureNotMatch' "$T/bad-ak.txt" || fail "no SignatureNotMatch line"
! grep -q wrong-secret "$T/bad-ak.txt" || fail "the secret was printed"

sed "s/token: it-token/token: not-the-token/" "$T/a.yaml" >"$T/bad-token.yaml"
rc=0
"$SF_BUILD/slsfwd" check -c "$T/bad-token.yaml" >"$T/bad-token.txt" 2>&1 || rc=$?
cat "$T/bad-token.txt"
[ $rc -eq 1 ] || fail "check with a wrong HEC token exited $rc"
grep -q '^FAIL hec ' "$T/bad-token.txt" || fail "no FAIL line for HEC"
! grep -q not-the-token "$T/bad-token.txt" || fail "the token was printed"

start_slsfwd a "$T/a.yaml"
wait_for 60 "1000 events" bash -c "[ \$(curl -sf $RCV/stats | jq .events.accepted) -ge 1000 ]"
sleep 2
stop_slsfwd a
"$SF_BUILD/slsfwd" status -c "$T/a.yaml" >"$T/status.txt" 2>&1 || fail "status failed: $(cat "$T/status.txt")"
cat "$T/status.txt"
[ "$(grep -cE '^demo/nginx +[01] +readwrite +it-cg-.* 0$' "$T/status.txt")" -eq 2 ] || fail "status does not show both shards at lag 0"
echo "PASS"

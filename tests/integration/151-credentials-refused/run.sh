#!/usr/bin/env bash
# When renewal is not enough:
# - p-file: a credential helper writes credentials_file without an Expiration, so slsfwd
#   cannot renew ahead of time; when SLS answers SecurityTokenExpired, the file is read again
#   at once and delivery goes on.
# - p-oidc: STS fails (500) for longer than the credentials live: the refresh keeps the old
#   credentials and retries with backoff, logs the reason once, and /metrics shows
#   slsfwd_credentials_refresh_failing 1 while `slsfwd check` names the failure; once STS is
#   back the source recovers. Every log arrives.
source "$SF_TESTS/lib.sh"

ROLE=acs:ram::1234567890123456:role/slsfwd
OIDC_PROVIDER=acs:ram::1234567890123456:oidc-provider/ack-rrsa-test
start_emulator --sts-port any --metadata-port any --credential-lifetime 8s --sts-role-arn "$ROLE" \
    --oidc-provider-arn "$OIDC_PROVIDER" --project demo --logstore p-file --shards 2 \
    --logstore p-oidc --shards 1
STS=$(sed -n 's/^sls-emulator sts listening on \(.*\)$/\1/p' "$T/emulator.out")
META=$(sed -n 's/^sls-emulator metadata listening on \(.*\)$/\1/p' "$T/emulator.out")
start_receiver

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
printf '%s.%s.c2ln' "$(printf '{"alg":"RS256"}' | b64url)" \
    "$(printf '{"sub":"sa","aud":"sts.aliyuncs.com","exp":%d}' $(($(date +%s) + 3600)) | b64url)" \
    >"$T/oidc-token"
fetch_file_creds() { # without Expiration: slsfwd learns of expiry only from SLS
    curl -sf "http://$META/latest/meta-data/ram/security-credentials/sls-emulator-role" |
        jq 'del(.Expiration)' >"$T/creds.json.tmp" && mv "$T/creds.json.tmp" "$T/creds.json"
}
fetch_file_creds || fail "metadata service did not answer"
(while sleep 1; do fetch_file_creds || true; done) &
PIDS+=($!)

cat >"$T/a.yaml" <<YAML
sls:
  endpoint: $EMU
  project: demo
  consumer_group: it-cred
  heartbeat_interval: 2s
  group_timeout: 8s
  checkpoint_interval: 1s
  fetch_interval: 300ms
sources:
  - logstore: p-file
    credentials_file: $T/creds.json
  - logstore: p-oidc
    credentials:
      provider: oidc_role_arn
      role_arn: $ROLE
      oidc_provider_arn: $OIDC_PROVIDER
      oidc_token_file: $T/oidc-token
      sts_endpoint: http://$STS
output:
  hec:
    url: $HEC_URL
    token: it-token
    linger: 200ms
    retry_max_interval: 2s
metrics:
  listen: 127.0.0.1:0
YAML
chmod 600 "$T/a.yaml"
start_slsfwd a "$T/a.yaml"
wait_for 30 "metrics port in the log" grep -q 'msg="metrics listening"' "$T/a.log"
mport=$(sed -n 's/.*msg="metrics listening".* port=\([0-9]*\).*/\1/p' "$T/a.log" | head -1)
metric() { # metric NAME SOURCE
    curl -sf "http://127.0.0.1:$mport/metrics" | awk -v n="$1{source=\"$2\"}" '$1 == n {print $2}'
}
generated=0
generate() {
    for ls in p-file p-oidc; do
        emu POST "/_emulator/projects/demo/logstores/$ls/generate?kind=nginx&count=50" >/dev/null
        generated=$((generated + 50))
    done
}

# 1. credentials_file without Expiration, through several 8 s lifetimes.
for _ in $(seq 1 10); do
    generate
    sleep 2
done
wait_for 30 "$generated logs" bash -c "\"$SF_BUILD/seqcheck\" --expect $generated $T/received.ndjson >/dev/null 2>&1"
expired=$(emu GET /_emulator/credentials | jq .refused.expired)
[ "$expired" -ge 1 ] || fail "SLS never refused the file's credentials as expired"
grep -q 'source=demo/p-file.*' "$T/a.log" && grep 'msg="credentials refreshed"' "$T/a.log" | grep -q 'source=demo/p-file' ||
    fail "credentials_file was not read again after SLS refused it"
echo "p-file: SLS refused expired credentials $expired times; each time the file was read again"

# 2. STS fails for 20 s (longer than a lifetime): old credentials kept, failure visible.
emu POST "/_emulator/credentials?sts_fault=500" >/dev/null
wait_for 30 "refresh_failing=1 on /metrics" bash -c "[ \"\$($(declare -f metric); mport=$mport metric slsfwd_credentials_refresh_failing demo/p-oidc)\" = 1 ]"
generate
"$SF_BUILD/slsfwd" check -c "$T/a.yaml" >"$T/check.out" 2>&1 || true
grep -q "FAIL.*p-oidc.*STS\|FAIL.*p-oidc.*500" "$T/check.out" || fail "slsfwd check does not name the STS failure: $(cat "$T/check.out")"
grep -q "ok .*credentials demo/p-file: provider file" "$T/check.out" || fail "slsfwd check does not name the file provider: $(cat "$T/check.out")"
sleep 12
warns=$(grep 'msg="credential refresh failed' "$T/a.log" | grep -c 'source=demo/p-oidc ' || true)
errors=$(metric 'slsfwd_credentials_refreshes_total' 'demo/p-oidc",result="error' || true)
emu POST "/_emulator/credentials?sts_fault=none" >/dev/null
wait_for 60 "refresh_failing=0 again" bash -c "[ \"\$($(declare -f metric); mport=$mport metric slsfwd_credentials_refresh_failing demo/p-oidc)\" = 0 ]"
generate
wait_for 60 "all $generated logs" bash -c "\"$SF_BUILD/seqcheck\" --expect $generated $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd a
echo "p-oidc: $warns warning line(s) for the failing refresh"
[ "$warns" -ge 1 ] && [ "$warns" -le 3 ] ||
    fail "expected the failing refresh logged once per reason, got $warns lines: $(grep 'refresh failed' "$T/a.log")"
! grep -q "$AK_SECRET" "$T/a.log" || fail "a secret in the log"
seqcheck --expect "$generated" "$T/received.ndjson"
echo "PASS"

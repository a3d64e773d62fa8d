#!/usr/bin/env bash
# Credentials that live 20 seconds, from every provider, for CRED_RUN_SECONDS (180 in the
# release build): seven logstores of one shard each, one per provider (static keys, env,
# RRSA/OIDC, AssumeRole, the ECS metadata service, an INI profile, a credentials_file that a
# helper keeps fresh). Consumer a holds every shard; b, started later, is a standby holding
# none, and must renew its credentials all the same: a is killed with -9 part-way, b takes
# every shard over with credentials renewed meanwhile, and every log reaches HEC. Nobody falls
# out of a group, and SLS never sees an expired token (renewal comes before expiry).
source "$SF_TESTS/lib.sh"

RUN=${CRED_RUN_SECONDS:-180}
ROLE=acs:ram::1234567890123456:role/slsfwd
OIDC_PROVIDER=acs:ram::1234567890123456:oidc-provider/ack-rrsa-test
PROVIDERS="static env oidc ramrole ecs profile file"

args=(--sts-port any --metadata-port any --credential-lifetime 20s --sts-role-arn "$ROLE"
    --oidc-provider-arn "$OIDC_PROVIDER" --project demo)
for p in $PROVIDERS; do
    args+=(--logstore "p-$p" --shards 1)
done
start_emulator "${args[@]}"
STS=$(sed -n 's/^sls-emulator sts listening on \(.*\)$/\1/p' "$T/emulator.out")
META=$(sed -n 's/^sls-emulator metadata listening on \(.*\)$/\1/p' "$T/emulator.out")
[ -n "$STS" ] && [ -n "$META" ] || fail "emulator printed no STS/metadata port"
start_receiver

# RRSA: a service-account token as the kubelet writes it (JWT-shaped; valid for an hour).
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt_header=$(printf '{"alg":"RS256","kid":"test"}' | b64url)
jwt_payload=$(printf '{"iss":"https://oidc.test","sub":"system:serviceaccount:siem:slsfwd","aud":"sts.aliyuncs.com","exp":%d}' $(($(date +%s) + 3600)) | b64url)
printf '%s.%s.%s' "$jwt_header" "$jwt_payload" "c2lnbmF0dXJl" >"$T/oidc-token"
# The credential libraries' INI file: a profile that assumes the role with a RAM user's keys.
cat >"$T/credentials.ini" <<INI
[default]
type = access_key
access_key_id = unused
access_key_secret = unused

[slsfwd]
type = ram_role_arn
access_key_id = $AK_ID
access_key_secret = $AK_SECRET
role_arn = $ROLE
role_session_name = slsfwd-profile
INI
# A credential helper that keeps credentials_file fresh from the metadata service.
fetch_file_creds() {
    curl -sf "http://$META/latest/meta-data/ram/security-credentials/sls-emulator-role" \
        -o "$T/creds.json.tmp" && mv "$T/creds.json.tmp" "$T/creds.json"
}
fetch_file_creds || fail "metadata service did not answer"
(while sleep 2; do fetch_file_creds || true; done) &
PIDS+=($!)

config() { # config NAME
    cat <<YAML
sls:
  endpoint: $EMU
  project: demo
  consumer_group: it-cred
  consumer_name: $1
  heartbeat_interval: 2s
  group_timeout: 8s
  checkpoint_interval: 1s
  fetch_interval: 300ms
  credentials:
    sts_endpoint: http://$STS
    ecs_metadata_endpoint: http://$META
sources:
  - logstore: p-static
    credentials: {provider: static}
    access_key_id: $AK_ID
    access_key_secret: $AK_SECRET
  - logstore: p-env
    credentials: {provider: env}
  - logstore: p-oidc
    credentials:
      provider: oidc_role_arn
      role_arn: $ROLE
      oidc_provider_arn: $OIDC_PROVIDER
      oidc_token_file: $T/oidc-token
      role_session_name: slsfwd-rrsa
  - logstore: p-ramrole
    access_key_id: $AK_ID
    access_key_secret: $AK_SECRET
    credentials: {provider: ram_role_arn, role_arn: $ROLE}
  - logstore: p-ecs
    credentials: {provider: ecs_ram_role}
  - logstore: p-profile
    credentials: {provider: profile, profile_file: $T/credentials.ini, profile: slsfwd}
  - logstore: p-file
    credentials_file: $T/creds.json
output:
  hec:
    url: $HEC_URL
    token: it-token
    linger: 200ms
    retry_max_interval: 2s
metrics:
  listen: 127.0.0.1:0
limits:
  drain_timeout: 20s
  workers: 2
YAML
}
config a >"$T/a.yaml"
config b >"$T/b.yaml"
chmod 600 "$T/a.yaml" "$T/b.yaml"
export ALIBABA_CLOUD_ACCESS_KEY_ID=$AK_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET=$AK_SECRET

shards_of() { # shards_of CONSUMER: shards it holds over every group
    curl -sf "$EMU/_emulator/stats" |
        jq "[.projects[].logstores[].consumer_groups[].consumers[] | select(.name==\"$1\") | .shards | length] | add // 0"
}
members_named() { # members_named CONSUMER: groups it is in
    curl -sf "$EMU/_emulator/stats" |
        jq "[.projects[].logstores[].consumer_groups[].consumers[] | select(.name==\"$1\")] | length"
}
n_providers=$(echo $PROVIDERS | wc -w)

start=$SECONDS
start_slsfwd a "$T/a.yaml"
wait_for 30 "a to hold every shard" bash -c "[ \$($(declare -f shards_of); EMU=$EMU shards_of a) -eq $n_providers ]"
start_slsfwd b "$T/b.yaml"
wait_for 30 "b to join every group" bash -c "[ \$($(declare -f members_named); EMU=$EMU members_named b) -eq $n_providers ]"
[ "$(shards_of b)" -eq 0 ] || fail "the standby took shards from a"

# Data throughout: 20 logs per logstore every 2 s until 85 % of the run.
generated=0
kill_at=$((start + RUN * 55 / 100))
killed=0
while [ $((SECONDS - start)) -lt $((RUN * 85 / 100)) ]; do
    for p in $PROVIDERS; do
        emu POST "/_emulator/projects/demo/logstores/p-$p/generate?kind=nginx&count=20" >/dev/null
        generated=$((generated + 20))
    done
    if [ $killed -eq 0 ] && [ $SECONDS -ge $kill_at ]; then
        b_refreshes_before_kill=$(grep -c 'msg="credentials refreshed"' "$T/b.log" || true)
        kill -9 "$PID_a"
        killed=1
        killed_at=$SECONDS
        echo "killed a at $((SECONDS - start))s; b had renewed credentials $b_refreshes_before_kill times"
    fi
    sleep 2
done
wait_for 60 "b to hold every shard" bash -c "[ \$($(declare -f shards_of); EMU=$EMU shards_of b) -eq $n_providers ]"
echo "b held every shard at most $((SECONDS - killed_at))s after the kill"
wait_for 90 "all $generated logs at HEC" bash -c "\"$SF_BUILD/seqcheck\" --expect $generated $T/received.ndjson >/dev/null 2>&1"
stop_slsfwd b
seqcheck --expect "$generated" "$T/received.ndjson"

stats=$(curl -sf "$EMU/_emulator/stats" | jq -c .credentials)
echo "emulator credentials: $stats"
# Each renewing provider of b renewed before the kill (a standby renews too).
for p in oidc ramrole ecs profile file; do
    n=$(grep 'msg="credentials refreshed"' "$T/b.log" | grep -c "source=demo/p-$p " || true)
    want=$((RUN / 30))
    [ "$n" -ge "$want" ] || fail "b renewed the credentials of p-$p $n times, expected at least $want"
done
[ "$b_refreshes_before_kill" -ge 5 ] || fail "the standby renewed only $b_refreshes_before_kill times before the kill"
[ "$(echo "$stats" | jq .refused.expired)" -eq 0 ] || fail "SLS saw expired credentials: $stats"
[ "$(echo "$stats" | jq '.refused.unknown + .refused.bad_token')" -eq 0 ] || fail "SLS refused credentials: $stats"
! grep -E 'within the group timeout|the server expired this consumer' "$T/a.log" "$T/b.log" ||
    fail "a consumer fell out of its group"
! grep -q "$AK_SECRET" "$T/a.log" "$T/b.log" || fail "a secret in the logs"
echo "PASS"

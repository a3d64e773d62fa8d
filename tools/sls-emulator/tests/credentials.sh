#!/bin/bash
# The credential test doubles end to end, driven with curl, with every signature computed here
# independently of the emulator (openssl for the HMACs, jq's @uri for RFC 3986 encoding):
# STS over HTTPS: AssumeRole (GET and POST, right and wrong signatures, the error shapes),
# AssumeRoleWithOIDC,
# the ECS metadata endpoint in optional and hardened mode with the token-PUT fault, and the SLS
# side accepting issued credentials until they expire (2 s), then refusing them with
# SecurityTokenExpired (the lifetime cap is lowered to 2 s for that part through the control
# plane, so a loaded machine cannot make the other checks race the expiry); unknown keys get InvalidAccessKeyId, a wrong token Unauthorized. Ends
# with the counters of /_emulator/stats and a clean SIGTERM.
# usage: credentials.sh path/to/sls-emulator
set -u
emulator=$1
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
export LC_ALL=C

RAM_ID=LTAI5tRamUser
RAM_SECRET=RamUserSecret0123456789
ROLE=acs:ram::1234567890123456:role/sls-reader
PROVIDER=acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1
failures=0

. "$(dirname "$0")/../../../tests/support/tool.sh" # tool_port, check

# STS over HTTPS, as the credential libraries always call it (a self-signed certificate for
# 127.0.0.1 that curl trusts with --cacert).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
"$emulator" --listen 127.0.0.1:0 --access-key "$RAM_ID:$RAM_SECRET" \
    --sts-tls-cert "$dir/cert.pem" --sts-tls-key "$dir/key.pem" --sts-port any --metadata-port any --credential-lifetime 60s \
    --sts-role-arn "$ROLE" --oidc-provider-arn "$PROVIDER" --metadata-role EcsRole \
    --project demo --logstore logs --shards 1 >"$dir/out" 2>"$dir/err" &
pid=$!
# The side listeners print their lines before the main one.
SLS=http://127.0.0.1:$(tool_port sls-emulator "$dir/out" "$pid")
STS=https://127.0.0.1:$(tool_port "sls-emulator sts" "$dir/out" "$pid" 1)
MD=http://127.0.0.1:$(tool_port "sls-emulator metadata" "$dir/out" "$pid" 1)
if [ "$SLS" = "http://127.0.0.1:" ] || [ "$STS" = "https://127.0.0.1:" ] || [ "$MD" = "http://127.0.0.1:" ]; then
    echo "credentials: emulator did not print its three ports" >&2
    cat "$dir/out" "$dir/err" >&2
    exit 1
fi

uri() { jq -rn --arg v "$1" '$v|@uri'; }

# sts_call METHOD SECRET IN_BODY K=V...: an RPC-signed STS request; parameters listed before
# IN_BODY's count go to the query, the rest to a form body. Sets STATUS and BODY.
sts_call() {
    local method=$1 secret=$2 n_query=$3
    shift 3
    local pairs=() kv k v
    for kv in "$@"; do
        k=${kv%%=*}
        v=${kv#*=}
        pairs+=("$(uri "$k")=$(uri "$v")")
    done
    local canonical
    canonical=$(printf '%s\n' "${pairs[@]}" | sort -t= -k1,1 | paste -sd'&')
    local to_sign="$method&%2F&$(uri "$canonical")"
    local sig
    sig=$(printf '%s' "$to_sign" | openssl dgst -sha1 -hmac "$secret&" -binary | base64)
    local query=("${pairs[@]:0:$n_query}") body=("${pairs[@]:$n_query}")
    query+=("Signature=$(uri "$sig")")
    local url="$STS/?$(printf '%s\n' "${query[@]}" | paste -sd'&')"
    if [ ${#body[@]} -gt 0 ]; then
        curl -s --cacert "$dir/cert.pem" -o "$dir/body" -w '%{http_code}' -X "$method" "$url" \
            -H 'Content-Type: application/x-www-form-urlencoded' \
            --data-binary "$(printf '%s\n' "${body[@]}" | paste -sd'&')" >"$dir/status"
    else
        curl -s --cacert "$dir/cert.pem" -o "$dir/body" -w '%{http_code}' -X "$method" "$url" >"$dir/status"
    fi
    STATUS=$(cat "$dir/status")
    BODY=$(cat "$dir/body")
}

common() { # the parameters every signed RPC call carries
    echo "Format=JSON" "Version=2015-04-01" "SignatureMethod=HMAC-SHA1" "SignatureVersion=1.0" \
        "SignatureNonce=$(openssl rand -hex 16)" "Timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

json() { jq -r "$1" <<<"$BODY"; }
is() { [ "$1" = "$2" ]; }
matches() { [[ $1 =~ $2 ]]; }

# ---- AssumeRole --------------------------------------------------------------------------
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=it-session" DurationSeconds=3600
check "AssumeRole GET, right signature: 200" is "$STATUS" 200
check "AssumeRole: AccessKeyId STS.*" matches "$(json .Credentials.AccessKeyId)" '^STS\.[A-Za-z0-9]{24}$'
check "AssumeRole: secret, token" matches "$(json '.Credentials.AccessKeySecret + " " + .Credentials.SecurityToken')" '^[A-Za-z0-9]{44} CAIS'
check "AssumeRole: Expiration shape" matches "$(json .Credentials.Expiration)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
check "AssumeRole: AssumedRoleUser" is "$(json .AssumedRoleUser.Arn)" "$ROLE/it-session"
check "AssumeRole: AssumedRoleId" matches "$(json .AssumedRoleUser.AssumedRoleId)" '^[0-9]+:it-session$'
check "AssumeRole: RequestId" matches "$(json .RequestId)" '^[0-9A-F-]{36}$'
expires=$(date -u -d "$(json .Credentials.Expiration)" +%s)
check "AssumeRole: lifetime capped to 60 s" [ $((expires - $(date +%s))) -le 61 ]
AK=$(json .Credentials.AccessKeyId)
SK=$(json .Credentials.AccessKeySecret)
TOKEN=$(json .Credentials.SecurityToken)

# POST with the query/body split credentials-go uses (RoleArn & co in the form body).
# shellcheck disable=SC2046
sts_call POST "$RAM_SECRET" 8 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=post-session" DurationSeconds=900 'Policy={"Version": "1"}'
check "AssumeRole POST, params in query and form: 200" is "$STATUS" 200

# shellcheck disable=SC2046
sts_call GET "WrongSecret" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=it-session"
check "AssumeRole wrong signature: 400 SignatureDoesNotMatch" is "$STATUS $(json .Code)" "400 SignatureDoesNotMatch"
check "error shape: RequestId, HostId, Message, Recommend" is \
    "$(json '[has("RequestId"), .HostId, (.Message|startswith("Specified signature is not matched with our calculation. server string to sign is:GET&%2F&")), (.Recommend|startswith("https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"))]|map(tostring)|join(",")')" \
    "true,127.0.0.1,true,true"

# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=LTAI5tNoSuchKey" \
    "RoleArn=$ROLE" "RoleSessionName=it-session"
check "AssumeRole unknown key: 404 InvalidAccessKeyId.NotFound" is "$STATUS $(json .Code)" "404 InvalidAccessKeyId.NotFound"
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=it-session" DurationSeconds=100
check "AssumeRole DurationSeconds 100: 400 InvalidParameter.DurationSeconds" is "$STATUS $(json .Code)" "400 InvalidParameter.DurationSeconds"
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=acs:ram::1234567890123456:role/other" "RoleSessionName=it-session"
check "AssumeRole unknown role: 404 EntityNotExist.Role" is "$STATUS $(json .Code)" "404 EntityNotExist.Role"
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common | sed 's/Timestamp=[^ ]*/Timestamp=2020-01-01T00:00:00Z/') \
    "AccessKeyId=$RAM_ID" "RoleArn=$ROLE" "RoleSessionName=it-session"
check "AssumeRole old Timestamp: 400 InvalidTimeStamp.Expired" is "$STATUS $(json .Code)" "400 InvalidTimeStamp.Expired"

# ---- SLS with the issued credentials -------------------------------------------------------
# sls_get ID SECRET TOKEN: v1-signed GET /logstores on project demo. Sets STATUS and BODY.
sls_get() {
    local date to_sign sig
    date=$(date -u '+%a, %d %b %Y %H:%M:%S GMT')
    to_sign=$(printf 'GET\n\n\n%s\nx-acs-security-token:%s\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:0\nx-log-signaturemethod:hmac-sha1\n/logstores' "$date" "$3")
    sig=$(printf '%s' "$to_sign" | openssl dgst -sha1 -hmac "$2" -binary | base64)
    STATUS=$(curl -s -o "$dir/body" -w '%{http_code}' "$SLS/logstores" -H "Host: demo.127.0.0.1" \
        -H "Date: $date" -H "x-acs-security-token: $3" -H "x-log-apiversion: 0.6.0" \
        -H "x-log-bodyrawsize: 0" -H "x-log-signaturemethod: hmac-sha1" \
        -H "Authorization: LOG $1:$sig")
    BODY=$(cat "$dir/body")
}
sls_get "$AK" "$SK" "$TOKEN"
check "SLS accepts the issued STS triple" is "$STATUS" 200
sls_get "$AK" "$SK" "CAISsomeOtherToken"
check "SLS wrong token: 401 Unauthorized" is "$STATUS $(json .errorCode)" "401 Unauthorized"
sls_get "STS.NoSuchKeyAtAll0000000000" "$SK" "$TOKEN"
check "SLS unknown key: 401 InvalidAccessKeyId" is "$STATUS $(json .errorCode)" "401 InvalidAccessKeyId"
# A credential with a 2-second life, used after it ran out.
curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?lifetime=2s"
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=short-lived" DurationSeconds=3600
check "AssumeRole with lifetime=2s: 200" is "$STATUS" 200
expires=$(date -u -d "$(json .Credentials.Expiration)" +%s)
check "AssumeRole: lifetime capped to 2 s" [ $((expires - $(date +%s))) -le 2 ]
AK=$(json .Credentials.AccessKeyId)
SK=$(json .Credentials.AccessKeySecret)
TOKEN=$(json .Credentials.SecurityToken)
curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?lifetime=60s"
for _ in $(seq 1 100); do # the 2-second credential runs out (10 s at most)
    [ "$(date +%s)" -ge "$expires" ] && break
    sleep 0.1
done
sls_get "$AK" "$SK" "$TOKEN"
check "SLS expired credential: 401 SecurityTokenExpired" is "$STATUS $(json .errorCode)" "401 SecurityTokenExpired"
check "SLS expired: message" matches "$(json .errorMessage)" '^The security token you provided has expired'

# ---- AssumeRoleWithOIDC --------------------------------------------------------------------
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt() { # jwt EXP AUD
    printf '%s.%s.%s' "$(printf '{"alg":"RS256","kid":"k1"}' | b64url)" \
        "$(printf '{"iss":"https://oidc-ack.example","sub":"system:serviceaccount:ns:slsfwd","aud":"%s","exp":%s}' "$2" "$1" | b64url)" \
        "$(printf 'not-a-real-signature' | b64url)"
}
oidc() { # oidc PROVIDER TOKEN
    STATUS=$(curl -s --cacert "$dir/cert.pem" -o "$dir/body" -w '%{http_code}' -X POST \
        "$STS/?Action=AssumeRoleWithOIDC&Format=JSON&Version=2015-04-01&Timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-urlencode "RoleArn=$ROLE" --data-urlencode "OIDCProviderArn=$1" \
        --data-urlencode "OIDCToken=$2" --data-urlencode "RoleSessionName=rrsa" \
        --data-urlencode "DurationSeconds=3600")
    BODY=$(cat "$dir/body")
}
oidc "$PROVIDER" "$(jwt $(($(date +%s) + 600)) sts.aliyuncs.com)"
check "OIDC: 200 with credentials" is "$STATUS $(json .Credentials.AccessKeyId | cut -c1-4)" "200 STS."
check "OIDC: OIDCTokenInfo" is "$(json .OIDCTokenInfo.Subject)" "system:serviceaccount:ns:slsfwd"
oidc "$PROVIDER" ""
check "OIDC empty token: 401 AuthenticationFail.OIDCToken.Invalid" is "$STATUS $(json .Code)" "401 AuthenticationFail.OIDCToken.Invalid"
oidc "$PROVIDER" "only.two"
check "OIDC two-part token: 401 AuthenticationFail.OIDCToken.Invalid" is "$STATUS $(json .Code)" "401 AuthenticationFail.OIDCToken.Invalid"
oidc "$PROVIDER" "$(jwt $(($(date +%s) - 10)) sts.aliyuncs.com)"
check "OIDC expired JWT: 401 AuthenticationFail.OIDCToken.Expired" is "$STATUS $(json .Code)" "401 AuthenticationFail.OIDCToken.Expired"
oidc "$PROVIDER" "$(jwt $(($(date +%s) + 600)) someone-else)"
check "OIDC wrong audience: 401 AuthenticationFail.OIDCToken.AudienceNotMatch" is "$STATUS $(json .Code)" "401 AuthenticationFail.OIDCToken.AudienceNotMatch"
oidc "acs:ram::1234567890123456:oidc-provider/other" "$(jwt $(($(date +%s) + 600)) sts.aliyuncs.com)"
check "OIDC unknown provider: 401 AuthenticationFail.NoPermission" is "$STATUS $(json .Code)" "401 AuthenticationFail.NoPermission"

# ---- ECS metadata ----------------------------------------------------------------------------
md() { # md METHOD PATH [HEADER]
    STATUS=$(curl -s -o "$dir/body" -w '%{http_code}' -X "$1" "$MD$2" ${3:+-H "$3"})
    BODY=$(cat "$dir/body")
}
md GET /latest/meta-data/ram/security-credentials/
check "metadata optional: role list" is "$STATUS $BODY" "200 EcsRole"
md GET /latest/meta-data/ram/security-credentials/EcsRole
check "metadata optional: plain GET credentials" is "$STATUS $(json '.Code + " " + (.AccessKeyId|.[0:4])')" "200 Success STS."
check "metadata: LastUpdated, Expiration, secret, token" is \
    "$(json '[.LastUpdated, .Expiration, .AccessKeySecret, .SecurityToken]|map(type == "string" and length > 0)|all')" true
md GET /latest/meta-data/ram/security-credentials/NoSuchRole
check "metadata unknown role: 404" is "$STATUS" 404
md PUT /latest/api/token
check "metadata token PUT without TTL header: 400" is "$STATUS" 400
md PUT /latest/api/token "X-aliyun-ecs-metadata-token-ttl-seconds: 21600"
check "metadata token PUT: 200" is "$STATUS" 200
MDTOKEN=$BODY
md GET /latest/meta-data/ram/security-credentials/EcsRole "X-aliyun-ecs-metadata-token: $MDTOKEN"
check "metadata GET with token: 200" is "$STATUS" 200
md GET /latest/meta-data/ram/security-credentials/EcsRole "X-aliyun-ecs-metadata-token: bogus"
check "metadata GET with unknown token: 401" is "$STATUS" 401

curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?metadata_mode=hardened"
md GET /latest/meta-data/ram/security-credentials/EcsRole
check "metadata hardened: plain GET 403" is "$STATUS" 403
md GET /latest/meta-data/ram/security-credentials/ "X-aliyun-ecs-metadata-token: $MDTOKEN"
check "metadata hardened: role list with token" is "$STATUS $BODY" "200 EcsRole"
md GET /latest/meta-data/ram/security-credentials/EcsRole "X-aliyun-ecs-metadata-token: $MDTOKEN"
check "metadata hardened: GET with token 200" is "$STATUS" 200
ECS_AK=$(json .AccessKeyId)
ECS_SK=$(json .AccessKeySecret)
ECS_TOKEN=$(json .SecurityToken)
sls_get "$ECS_AK" "$ECS_SK" "$ECS_TOKEN"
check "SLS accepts the ECS role credentials" is "$STATUS" 200

curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?metadata_mode=optional&metadata_token_fault=500"
md PUT /latest/api/token "X-aliyun-ecs-metadata-token-ttl-seconds: 21600"
check "metadata token fault: PUT 500" is "$STATUS" 500
md GET /latest/meta-data/ram/security-credentials/EcsRole
check "metadata token fault, optional mode: fallback GET 200" is "$STATUS" 200
curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?metadata_mode=hardened"
md GET /latest/meta-data/ram/security-credentials/EcsRole
check "metadata token fault, hardened mode: fallback GET 403" is "$STATUS" 403
curl -s -o /dev/null -X POST "$SLS/_emulator/credentials?metadata_token_fault=none&sts_fault=denied"
# shellcheck disable=SC2046
sts_call GET "$RAM_SECRET" 99 Action=AssumeRole $(common) "AccessKeyId=$RAM_ID" \
    "RoleArn=$ROLE" "RoleSessionName=it-session"
check "sts_fault=denied: 403 NoPermission" is "$STATUS $(json .Code)" "403 NoPermission"

# ---- counters ----------------------------------------------------------------------------------
BODY=$(curl -s "$SLS/_emulator/stats")
check "stats: issued per kind" is "$(json '.credentials.issued|[.assume_role, .assume_role_with_oidc, .ecs]|map(tostring)|join(" ")')" "3 1 1"
check "stats: refused expired/unknown/bad_token" is "$(json '.credentials.refused|[.expired, .unknown, .bad_token]|map(. >= 1)|all')" true
check "stats: sts and metadata requests counted" is "$(json '[.credentials.sts.requests, .credentials.metadata.requests]|map(. > 5)|all')" true
check "stats: metadata mode" is "$(json .credentials.metadata.mode)" hardened

kill -TERM "$pid"
wait "$pid"
rc=$?
check "clean exit on SIGTERM" is "$rc" 0
if grep -q -e "$SK" -e "$TOKEN" "$dir/err"; then
    check "no credential in the emulator's log" false
fi
[ "$failures" -eq 0 ] || { echo "credentials: $failures check(s) failed" >&2; cat "$dir/err" >&2; exit 1; }
echo "credentials: all checks passed"

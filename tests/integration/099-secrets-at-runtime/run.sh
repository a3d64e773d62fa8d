#!/usr/bin/env bash
# Secrets while running:
# - http:// to SLS or HEC logs one warning each at start (clear text on the wire);
# - https:// pointed at a plain-HTTP server (the emulator, the HEC receiver) says so and
#   suggests http://, for SLS and for HEC;
# - the process is non-dumpable: its /proc files belong to root, so another process of the
#   same (non-root) user cannot read /proc/<pid>/environ (the secrets) or attach to it.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:1000 --logstore audit --shards 1
start_receiver

# 1. One warning per plain-http:// destination.
write_config "$T/a.yaml" "$T/a.ndjson" nginx audit
start_slsfwd a "$T/a.yaml"
wait_for 30 "ready" grep -q 'msg="coord started"' "$T/a.log"
stop_slsfwd a
[ "$(grep -c 'SLS endpoint is plain http://' "$T/a.log")" -eq 1 ] ||
    fail "expected one cleartext warning for the SLS endpoint (two sources share it)"
[ "$(grep -c 'HEC URL is plain http://' "$T/a.log")" -eq 1 ] ||
    fail "expected one cleartext warning for the HEC URL"
grep 'plain http://' "$T/a.log" | grep -q 'level=warn' || fail "the cleartext lines are not warnings"

# 2. https:// to plain-HTTP servers: the hint names the mistake.
emu_port=${EMU##*:}
hec_url=$HEC_URL
HEC_URL=https://127.0.0.1:${hec_url##*:}
write_config "$T/b.yaml" "$T/b.ndjson" nginx
sed -i "s|endpoint: http://|endpoint: https://|" "$T/b.yaml"
grep -q "endpoint: https://127.0.0.1:$emu_port" "$T/b.yaml" || fail "config edit did not apply"
start_slsfwd b "$T/b.yaml"
wait_for 30 "the SLS hint" grep -q 'cannot join the consumer group.*plain HTTP.*use http://' "$T/b.log"
wait_for 30 "the HEC hint" grep -q 'HEC health check failed.*plain HTTP.*use http://' "$T/b.log"
stop_slsfwd b
HEC_URL=$hec_url

# 3. Non-dumpable. The /proc/<pid> files of a non-dumpable process belong to root, whatever
#    its user; so run slsfwd as a non-root user (nobody when the test runs as root).
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$T"
env SLS_ENDPOINT="$EMU" SLS_AK_ID="$AK_ID" SLS_AK_KEY="$AK_SECRET" SLS_PROJECT=demo \
    SLS_LOGSTORE=nginx SLS_CG=it-cg-dump "${as_user[@]}" "$SF_BUILD/slsfwd" run --output file:- \
    >"$T/c.ndjson" 2>"$T/c.log" &
pid=$!
PIDS+=("$pid")
wait_for 30 "1000 logs from the non-root run" lines_at_least 1000 "$T/c.ndjson"
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[ "$uid" -ne 0 ] || fail "slsfwd runs as root: the check below would prove nothing"
owner=$(stat -c %u "/proc/$pid/environ")
[ "$owner" -eq 0 ] || fail "/proc/$pid/environ belongs to uid $owner: the process is dumpable"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ $rc -eq 0 ] || fail "the non-root run exited with $rc"
echo "PASS"

#!/usr/bin/env bash
# Type=notify readiness when one source cannot join: READY=1 as soon as the coord runs (a
# source whose endpoint refuses connections must not keep systemd waiting until
# TimeoutStartSec and then restart the whole forwarder), STATUS= names the source still
# waiting, the other source delivers, and a stop sends STOPPING=1. A stand-in for systemd
# (notify-listen) records the datagrams.
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:2000
dead=$(free_port 1) # nothing listens here: connection refused, retried forever
write_config "$T/a.yaml" "$T/a.ndjson" nginx audit
sed -i "s|^  - logstore: audit\$|  - logstore: audit\n    endpoint: http://127.0.0.1:$dead|" "$T/a.yaml"
grep -q "endpoint: http://127.0.0.1:$dead" "$T/a.yaml" || fail "config edit did not apply"

"$SF_BUILD/notify-listen" "$T/notify.sock" >"$T/notify.out" 2>"$T/notify.log" &
PIDS+=($!)
wait_for 10 "the notify socket" test -S "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock start_slsfwd a "$T/a.yaml"

wait_for 30 "READY=1 while demo/audit cannot join" grep -qx 'READY=1' "$T/notify.out"
wait_for 30 "STATUS= naming the waiting source" \
    grep -q '^STATUS=joined 1 of 2 sources; waiting for: demo/audit$' "$T/notify.out"
wait_for 60 "the reachable source's 2000 logs" lines_at_least 2000 "$T/a.ndjson"
kill -0 "$PID_a" || fail "slsfwd exited"
stop_slsfwd a
wait_for 10 "STOPPING=1" grep -qx 'STOPPING=1' "$T/notify.out"
# Nothing after STOPPING=1 but its own STATUS line.
tail -n 3 "$T/notify.out" | head -n 1 | grep -qx 'STOPPING=1' || fail "a datagram after STOPPING=1: $(cat "$T/notify.out")"
seqcheck --expect 2000 "$T/a.ndjson"
echo "PASS"

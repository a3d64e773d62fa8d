#!/bin/sh
# Starts sls-emulator on a free port with known credentials and data, runs the smoke client
# against it, stops the emulator, and checks it exited cleanly on SIGTERM.
# usage: smoke.sh path/to/sls-emulator path/to/emulator_smoke_client
set -u
emulator=$1
client=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$emulator" --listen 127.0.0.1:0 --access-key AK:SK --access-key STSAK:SK2:TOKEN \
    --project smoke --logstore logs --shards 2 --generate nginx:5000 \
    --logstore trail --shards 1 --generate actiontrail:500 --seed 7 \
    >"$dir/out" 2>"$dir/err" &
pid=$!

port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^sls-emulator listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/out")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "smoke: emulator did not start" >&2
    cat "$dir/err" >&2
    kill "$pid" 2>/dev/null
    exit 1
fi

"$client" "$port"
rc=$?

kill -TERM "$pid"
wait "$pid"
emu_rc=$?
if [ "$emu_rc" -ne 0 ]; then
    echo "smoke: emulator exited with $emu_rc after SIGTERM" >&2
    cat "$dir/err" >&2
    rc=1
fi
exit $rc

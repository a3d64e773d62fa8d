#!/bin/sh
# Starts sls-emulator on a free port with an empty logstore and one of generated nginx logs,
# runs the SPL client (PullLogs with query) against it, and checks a clean exit on SIGTERM.
# usage: spl.sh path/to/sls-emulator path/to/emulator_spl_client
set -u
emulator=$1
client=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$emulator" --listen 127.0.0.1:0 --access-key AK:SK \
    --project spl --logstore posted --shards 1 \
    --logstore web --shards 1 --generate nginx:3000 --seed 3 \
    >"$dir/out" 2>"$dir/err" &
pid=$!

port=""
for _ in $(seq 1 300); do
    port=$(sed -n 's/^sls-emulator listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/out")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "spl: emulator did not start" >&2
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
    echo "spl: emulator exited with $emu_rc after SIGTERM" >&2
    cat "$dir/err" >&2
    rc=1
fi
exit $rc

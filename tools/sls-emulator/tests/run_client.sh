#!/bin/sh
# Starts sls-emulator on a free port with EMULATOR-ARGS, runs CLIENT PORT against it, stops
# the emulator, and checks it exited cleanly on SIGTERM (smoke.sh, spl.sh).
# usage: run_client.sh NAME path/to/sls-emulator path/to/client EMULATOR-ARGS...
set -u
name=$1
emulator=$2
client=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../tests/support/tool.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$emulator" --listen 127.0.0.1:0 "$@" >"$dir/out" 2>"$dir/err" &
pid=$!
if ! port=$(tool_port sls-emulator "$dir/out" "$pid"); then
    echo "$name: emulator did not start" >&2
    cat "$dir/err" >&2
    kill "$pid" 2>/dev/null
    exit 1
fi

"$client" "$port"
rc=$?
tool_stop "$name: emulator" "$pid" "$dir/err" || rc=1
exit $rc

#!/bin/sh
# Starts sls-emulator on a free port with an empty logstore and one of generated nginx logs,
# runs the SPL client (PullLogs with query) against it, and checks a clean exit on SIGTERM.
# usage: spl.sh path/to/sls-emulator path/to/emulator_spl_client
exec "$(dirname "$0")/run_client.sh" spl "$1" "$2" \
    --access-key AK:SK \
    --project spl --logstore posted --shards 1 \
    --logstore web --shards 1 --generate nginx:3000 --seed 3

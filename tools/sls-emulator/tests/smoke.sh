#!/bin/sh
# Starts sls-emulator on a free port with known credentials and data, runs the smoke client
# against it, stops the emulator, and checks it exited cleanly on SIGTERM.
# usage: smoke.sh path/to/sls-emulator path/to/emulator_smoke_client
exec "$(dirname "$0")/run_client.sh" smoke "$1" "$2" \
    --access-key AK:SK --access-key STSAK:SK2:TOKEN \
    --project smoke --logstore logs --shards 2 --generate nginx:5000 \
    --logstore trail --shards 1 --generate actiontrail:500 --seed 7

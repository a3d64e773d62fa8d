#!/bin/sh
# Optional: checks sls-emulator with two unmodified official Node.js SDKs (npm registry needed
# once for `npm install`; not part of ctest). usage: tests/sdk/run.sh build/sls-emulator
set -eu
emulator=$(realpath "$1")
cd "$(dirname "$0")"
. ../../../../tests/support/tool.sh # tool_port
[ -d node_modules ] || npm install --no-audit --no-fund >/dev/null
out=$(mktemp)
"$emulator" --listen 127.0.0.1:0 --access-key AK:SK --project sdk --logstore logs --shards 2 \
    --generate nginx:2000 --project nodetest --logstore ls1 --shards 2 --quiet >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
port=$(tool_port sls-emulator "$out" "$pid")
node node_log_sdk.js "$port"
node node_openapi_sdk.js "$port" v1
node node_openapi_sdk.js "$port" v4

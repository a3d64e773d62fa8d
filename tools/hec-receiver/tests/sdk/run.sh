#!/bin/sh
# Optional: checks hec-receiver with unmodified third-party HEC loggers from npm (the registry
# is needed once for `npm install`; not part of ctest). The packages go to a scratch folder,
# never into the source tree. usage: tests/sdk/run.sh build/hec-receiver
set -eu
receiver=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../../tests/support/tool.sh" # tool_port
work=${HEC_SDK_DIR:-/tmp/hec-receiver-sdk}
mkdir -p "$work"
cp "$here/package.json" "$here/check.js" "$work/"
cd "$work"
[ -d node_modules ] || npm install --no-audit --no-fund >/dev/null
dir=$(mktemp -d)
"$receiver" --listen 127.0.0.1:0 --token 11111111-2222-3333-4444-555555555555 \
    --out "$dir/events.ndjson" --quiet >"$dir/ready" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
port=$(tool_port hec-receiver "$dir/ready" "$pid")
node check.js "$port" "$dir/events.ndjson"

#!/usr/bin/env bash
# sls.query against the emulator's SPL (issue 12 §2): SLS filters before the data leaves, so
# exactly the logs the statement keeps arrive; a statement that keeps nothing still carries
# every shard's checkpoint to its end; `slsfwd check` says "query accepted" or shows the
# service's error for a statement that does not parse, and `run` names source and statement.
# Needs the emulator's SPL subset (`query` + `pullMode=scan_on_stream` on PullLogs).
source "$SF_TESTS/lib.sh"

start_emulator --project demo --logstore nginx --shards 2 --generate nginx:4000

# with_query CONFIG STATEMENT: adds `query:` to the sls: defaults of a write_config file.
with_query() {
    local file=$1 statement=$2
    sed -i "/^  consumer_group: /a\\  query: \"$statement\"" "$file"
}

# Every log, to know what the statement should keep.
CG=all write_config "$T/all.yaml" "$T/all.ndjson" nginx
start_slsfwd all "$T/all.yaml"
wait_for 60 "all 4000 logs" lines_at_least 4000 "$T/all.ndjson"
stop_slsfwd all
jq -r 'select((.event.status | tonumber) >= 400) | .event.seq' "$T/all.ndjson" | sort -n >"$T/want.seq"
want=$(wc -l <"$T/want.seq")
[ "$want" -gt 0 ] && [ "$want" -lt 4000 ] || fail "the generator gave $want logs with status >= 400"

# check: a good statement is accepted, a bad one shows the service's error.
CG=spl write_config "$T/spl.yaml" "$T/spl.ndjson" nginx
with_query "$T/spl.yaml" "* | where status >= 400"
"$SF_BUILD/slsfwd" check -c "$T/spl.yaml" >"$T/check.txt" 2>"$T/check.log" || fail "check failed: $(cat "$T/check.txt")"
cat "$T/check.txt"
grep -q '^ok   source demo/nginx query: query accepted' "$T/check.txt" || fail "no 'query accepted' line"

CG=bad write_config "$T/bad.yaml" "$T/bad.ndjson" nginx
with_query "$T/bad.yaml" "* | wher status >= 400"
rc=0
"$SF_BUILD/slsfwd" check -c "$T/bad.yaml" >"$T/bad-check.txt" 2>&1 || rc=$?
cat "$T/bad-check.txt"
[ $rc -eq 1 ] || fail "check with a bad statement exited $rc"
grep -q '^FAIL source demo/nginx query: SLS refused the SPL statement: source=demo/nginx query="\* | wher status >= 400" api=PullLogs .*status=400 code=[A-Za-z]' "$T/bad-check.txt" ||
    fail "no FAIL line naming the statement and the service's code"

# run: exactly the kept logs, each once.
start_slsfwd spl "$T/spl.yaml"
wait_for 60 "the $want logs with status >= 400" lines_at_least "$want" "$T/spl.ndjson"
sleep 2
stop_slsfwd spl
jq -r '.event.seq' "$T/spl.ndjson" | sort -n >"$T/got.seq"
diff -q "$T/want.seq" "$T/got.seq" >/dev/null ||
    fail "delivered $(wc -l <"$T/got.seq") logs, want the $want with status >= 400: $(diff "$T/want.seq" "$T/got.seq" | head -5)"
grep -q 'level=error' "$T/spl.log" && fail "errors in the log: $(grep 'level=error' "$T/spl.log" | head -3)"

# A statement that keeps nothing: no data, but every checkpoint reaches its shard's end.
CG=none write_config "$T/none.yaml" "$T/none.ndjson" nginx
with_query "$T/none.yaml" "* | where status = '999'"
start_slsfwd none "$T/none.yaml"
at_end() {
    emu GET /_emulator/stats | jq -e '.projects[0].logstores[0] as $ls
        | ($ls.shards | map(.end_cursor)) as $ends
        | ($ls.consumer_groups[] | select(.name == "none") | .shards | map(.checkpoint)) == $ends' >/dev/null
}
wait_for 60 "the checkpoints at the end of both shards" at_end
stop_slsfwd none
[ "$(count_lines "$T/none.ndjson")" -eq 0 ] || fail "a statement that keeps nothing delivered $(count_lines "$T/none.ndjson") logs"

# run with a bad statement: an error line naming source and statement; nothing delivered.
start_slsfwd bad "$T/bad.yaml"
wait_for 30 "the refused-statement line" grep -q 'SLS refused the SPL statement of sls.query.*source=demo/nginx query="\* | wher status >= 400"' "$T/bad.log"
stop_slsfwd bad
[ "$(count_lines "$T/bad.ndjson")" -eq 0 ] || fail "a refused statement delivered logs"
echo "PASS"

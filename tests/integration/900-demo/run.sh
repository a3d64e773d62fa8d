#!/usr/bin/env bash
# `make demo` keeps working: the demo script against this build delivers every log to the HEC
# receiver and to rsyslog, shows every checkpoint at its end, and exits 0.
source "$SF_TESTS/lib.sh"
BUILD=$SF_BUILD bash "$SF_TESTS/../../scripts/demo.sh" >"$T/demo.log" 2>&1 || fail "demo failed: $(tail -20 "$T/demo.log")"
grep -q 'the HEC receiver accepted 55000 events' "$T/demo.log" || fail "HEC count missing"
grep -q 'rsyslog received 55000 RFC 5424 messages' "$T/demo.log" || fail "syslog count missing"
[ "$(grep -c 'checkpoint at the end (lag 0)' "$T/demo.log")" -eq 6 ] || fail "not every shard at lag 0"
rm -rf "$(sed -n 's/^demo files kept in //p' "$T/demo.log")"
echo "PASS"

#!/usr/bin/env bash
# promtool.sh check|test|runbooks: the Prometheus rules shipped in packaging/prometheus,
# checked and unit-tested with Debian's promtool (package prometheus, installed by
# scripts/install-deps.sh); runbooks: every alert has a severity, a summary, a description and
# a runbook_url whose anchor is a section of docs/operations.md, and every alert has a unit
# test. A missing promtool fails the test: skipping would let broken rules ship unnoticed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/packaging/prometheus/slsfwd-rules.yaml
command -v promtool >/dev/null ||
    { echo "FAIL: promtool not found (Debian package prometheus; bash scripts/install-deps.sh)" >&2; exit 1; }
case "${1:-}" in
check)
    promtool check rules "$rules"
    ;;
test)
    shopt -s nullglob
    tests=("$root"/packaging/prometheus/tests/*.yaml)
    [ ${#tests[@]} -gt 0 ] || { echo "FAIL: no test file in packaging/prometheus/tests" >&2; exit 1; }
    promtool test rules "${tests[@]}"
    ;;
runbooks)
    ops=$root/docs/operations.md
    alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9]*\) *$/\1/p' "$rules")
    [ -n "$alerts" ] || { echo "FAIL: no alert in $rules" >&2; exit 1; }
    bad=0
    for a in $alerts; do
        # The alert's block: from its "- alert:" line to the next rule.
        block=$(awk -v a="$a" '$0 ~ "- alert: *"a"$" {on = 1; print; next}
                               on && /^ *- (alert|record):/ {exit} on {print}' "$rules")
        anchor=$(echo "$a" | tr '[:upper:]' '[:lower:]')
        for want in "severity: (critical|warning|info)" "summary: " "description: " \
            "runbook_url: \"docs/operations.md#$anchor\""; do
            grep -Eq "^ +$want" <<<"$block" || { echo "FAIL: $a lacks $want" >&2; bad=1; }
        done
        grep -qx "### $a" "$ops" || { echo "FAIL: docs/operations.md has no section ### $a" >&2; bad=1; }
        grep -qh "alertname: $a\$" "$root"/packaging/prometheus/tests/*.yaml ||
            { echo "FAIL: no promtool unit test for $a" >&2; bad=1; }
    done
    [ $bad -eq 0 ] || exit 1
    echo "ok: $(wc -w <<<"$alerts") alerts, each with labels, annotations, a runbook and a unit test"
    ;;
*)
    echo "usage: $0 check|test|runbooks" >&2
    exit 2
    ;;
esac

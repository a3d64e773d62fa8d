#!/usr/bin/env bash
# promtool.sh check|test: the Prometheus rules shipped in packaging/prometheus, checked and
# unit-tested with Debian's promtool (package prometheus, installed by scripts/install-deps.sh).
# A missing promtool fails the test: skipping would let broken rules ship unnoticed.
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
*)
    echo "usage: $0 check|test" >&2
    exit 2
    ;;
esac

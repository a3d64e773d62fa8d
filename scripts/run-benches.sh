#!/usr/bin/env bash
# Runs every benchmark of the tree (`make bench`), or each once at a tiny size (--smoke, the
# ctest bench-smoke). Benchmarks never gate CI; this script fails only when one breaks.
#
# Convention: a benchmark says how it is run in its own header comment, one line per run:
#   # bench: bench/e2e.sh $BUILD 1000000 200000        (shell: "#"; C: " * " or "//")
#   # bench-smoke: bench/e2e.sh $BUILD 20000 5000
# `bench:` is the `make bench` size (modest: the whole set stays under 10 minutes on a 2-core
# machine), `bench-smoke:` a size that takes seconds. The command runs under bash from the
# repository root with $BUILD set to the absolute build directory. A value starting with
# `skip` (followed by the reason) runs nothing. A file may carry several lines of each kind.
# The lines are looked for in bench/*.sh, bench/*.c and one directory level below bench/. A
# line is one command: keep C lines within clang-format's 100 columns (it reflows comments).
# A script is run as a program, so it must be executable.
#
# Every benchmark must:
#   - exit 0 and print at least one line starting with "RESULT bench=" on stdout;
#   - be covered: each bench/**/*.sh needs a line of the mode's kind, and every executable
#     named bench_* in the build must appear in some command of the mode (so a new C benchmark
#     without a line fails too).
# At the end every RESULT line is printed again, with each run's wall time; exit 1 when a run
# failed or something is not covered.
#
# Usage: scripts/run-benches.sh [--smoke] [BUILD_DIR]   (BUILD_DIR default: build)
set -uo pipefail
mode=bench
if [ "${1:-}" = --smoke ]; then
    mode=bench-smoke
    shift
fi
cd "$(dirname "$0")/.."
build=${1:-build}
[ -d "$build" ] || { echo "run-benches: no build directory $build" >&2 && exit 2; }
BUILD=$(cd "$build" && pwd)
export BUILD

files=$(find bench -mindepth 1 -maxdepth 2 -type f \( -name '*.sh' -o -name '*.c' \) | sort)
runs=() origins=() problems=()
for f in $files; do
    found=0
    while IFS= read -r cmd; do
        found=1
        runs+=("$cmd")
        origins+=("$f")
    done < <(sed -nE "s@^[[:space:]]*(#|\*|//)[[:space:]]*$mode:[[:space:]]*(.*[^[:space:]])[[:space:]]*(\*/)?\$@\2@p" "$f" |
        sed -E 's@[[:space:]]*\*/$@@')
    if [ $found -eq 0 ] && [[ $f == *.sh ]]; then
        problems+=("$f has no '# $mode:' line")
    fi
done
for bin in $(find "$BUILD" -maxdepth 3 -type f -name 'bench_*' -perm -u+x | sort); do
    name=$(basename "$bin")
    covered=0
    for cmd in "${runs[@]}"; do
        [[ $cmd == *"/$name "* || $cmd == *"/$name" ]] && covered=1
    done
    [ $covered -eq 1 ] || problems+=("$name is built but no '$mode:' line runs it")
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
summary=()
t_all=$SECONDS
for i in "${!runs[@]}"; do
    cmd=${runs[$i]}
    if [[ $cmd == skip* ]]; then
        echo "== ${origins[$i]}: $cmd"
        continue
    fi
    echo "== $cmd"
    t0=$(date +%s.%N)
    bash -c "$cmd" | tee "$out"
    rc=${PIPESTATUS[0]}
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    n=$(grep -c '^RESULT bench=' "$out")
    echo "== ${wall}s, exit $rc, $n RESULT line(s)"
    summary+=("# ${wall}s $cmd")
    while IFS= read -r line; do
        summary+=("$line")
    done < <(grep '^RESULT bench=' "$out")
    [ "$rc" -eq 0 ] || problems+=("'$cmd' exited with $rc")
    [ "$n" -gt 0 ] || problems+=("'$cmd' printed no RESULT line")
done

echo
echo "== $mode: every RESULT line ($((SECONDS - t_all)) s in all)"
printf '%s\n' "${summary[@]}"
if [ ${#problems[@]} -gt 0 ]; then
    printf 'run-benches: %s\n' "${problems[@]}" >&2
    exit 1
fi

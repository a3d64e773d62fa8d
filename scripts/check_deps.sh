#!/usr/bin/env bash
# Fails when a module includes a header of a module it may not depend on (docs/CODE_STYLE.md
# §Layout, the table of allowed dependencies). The emulators must not share the code they test:
# tools/ may use src/util and tools/common (their shared plumbing, itself on src/util only), and
# no src/ module may include tools/common.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
    [util]=""
    [config]="util"
    [codec]="util"
    [pipeline]="util"
    [sls]="util codec"
    [cred]="util config"
    [coord]="util config codec sls cred pipeline"
    [transform]="util codec"
    [sink]="util config codec transform pipeline"
    [metrics]="util"
    [app]="util config codec sls cred coord pipeline transform sink metrics"
    [tools]="util"
)

status=0
check_file() {
    local file=$1 module=$2
    local inc target
    while IFS= read -r inc; do
        target=${inc%%/*}
        [ "$target" = "$module" ] && continue
        [ -d "src/$target" ] || continue
        if [[ " ${allowed[$module]} " != *" $target "* ]]; then
            echo "check_deps: $file includes $inc, but $module may not depend on $target" >&2
            status=1
        fi
    done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$file")
}

for dir in src/*/; do
    module=$(basename "$dir")
    [ -n "${allowed[$module]+x}" ] || { echo "check_deps: module $module is not in the table" >&2; status=1; continue; }
    while IFS= read -r -d '' file; do
        check_file "$file" "$module"
    done < <(find "$dir" -name '*.[ch]' -print0)
done
if [ -d tools ]; then
    while IFS= read -r -d '' file; do
        check_file "$file" tools
    done < <(find tools -name '*.[ch]' -print0)
fi
# tools/common serves both tools: it must not reach into either of them.
if [ -d tools/common ]; then
    while IFS= read -r -d '' file; do
        while IFS= read -r inc; do
            case $inc in
            common/* | util/*) ;;
            *)
                echo "check_deps: $file includes \"$inc\"; tools/common may include only common/ and util/" >&2
                status=1
                ;;
            esac
        done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
    done < <(find tools/common -name '*.[ch]' -print0)
fi
# Nothing of slsfwd may depend on the tools' plumbing.
if grep -rn --include='*.[ch]' '^#include "common/' src >&2; then
    echo "check_deps: src/ includes tools/common (above)" >&2
    status=1
fi
exit $status

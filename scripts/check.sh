#!/usr/bin/env bash
# Cheap static checks run by `make test`: formatting and module dependency direction.
set -euo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests tools fuzz bench -name '*.[ch]')
if [ -n "$files" ]; then
    # shellcheck disable=SC2086
    clang-format-16 --dry-run -Werror $files
fi
bash scripts/check_deps.sh
echo "check: formatting and module dependencies OK"

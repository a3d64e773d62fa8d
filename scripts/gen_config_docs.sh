#!/usr/bin/env bash
# Regenerates CONFIGURATION.md and etc/slsfwd.example.yaml from the option table in
# src/config/options.c. Usage: scripts/gen_config_docs.sh [BUILD_DIR] (default: build).
# The unit test unit.config.docs_fresh fails until the regenerated files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" >/dev/null
fi
cmake --build "$build" --target sf-config-docs >/dev/null
mkdir -p etc
"$build/sf-config-docs" markdown >CONFIGURATION.md
"$build/sf-config-docs" yaml >etc/slsfwd.example.yaml
echo "gen_config_docs: wrote CONFIGURATION.md and etc/slsfwd.example.yaml"

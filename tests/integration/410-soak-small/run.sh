#!/usr/bin/env bash
# The fault-matrix soak (bench/soak.sh) at CI size: 3 consumers in one group, HEC and syslog at
# once, kill -9 every 4 s, SLS and HEC faults, HEC down 10 s, syslog receiver restarted, a
# shard split and data arriving throughout; every one of 40,000 logs must reach both outputs.
# About 45 s on an idle 2-core machine. The full run (400,000 logs) is `bench/soak.sh`.
set -euo pipefail
: "${SF_BUILD:?SF_BUILD must point at the build directory}"
exec bash "$SF_TESTS/../../bench/soak.sh" --build "$SF_BUILD" --logs 40000 --seconds 40 \
    --kill-interval 4 --settle 60

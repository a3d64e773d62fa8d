#!/usr/bin/env bash
# The end-to-end demo: SLS emulator -> slsfwd -> HEC receiver. It arrives with the HEC sink.
set -euo pipefail
echo "make demo: the end-to-end demo (emulator -> slsfwd -> Splunk HEC receiver) arrives with the HEC sink."
echo "Today: build/sls-emulator serves a logstore; see tools/sls-emulator/README.md."

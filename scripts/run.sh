#!/usr/bin/env bash
# The main job with embedded defaults: build (release) and run `msrpcharge bench`: 100 000
# MSRP sessions, offline charging against the embedded Charging Enabler, 15 s, after a
# 2-second run of each shallower pipeline stage and before a 2-second run with every message
# charged (--stages); the report also as a page, bench-report.html. Extra arguments go to
# `msrpcharge bench` and replace these defaults (e.g. --duration 5 --json report.json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
swift build -c release --product msrpcharge >&2
[ $# -gt 0 ] || set -- --stages --stage-duration 2 --html bench-report.html
exec .build/release/msrpcharge bench "$@"

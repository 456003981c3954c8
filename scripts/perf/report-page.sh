#!/usr/bin/env bash
# Makes docs/report/: two bench runs of 20 000 sessions for 5 s (charging off; CH-1 + CH-2 with
# the stages table), their JSON reports, the page that overlays them (msrpcharge report) and
# a screenshot of it by headless Chromium.
# Usage: scripts/perf/report-page.sh BIN   (a release build: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
mkdir -p docs/report
cd docs/report
"$bin" bench --sessions 20000 --duration 5 --mode off --no-progress --json charging-off.json >/dev/null
"$bin" bench --sessions 20000 --duration 5 --mode both --stages --stage-duration 2 --no-progress \
  --json charging-both.json >/dev/null
"$bin" report charging-off.json charging-both.json --html page.html \
  --title "bench: charging off against CH-1 + CH-2 (20 000 sessions, this 2-core VM)"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1100,5000 --screenshot="$PWD/page.png" "file://$PWD/page.html" 2>/dev/null
python3 ../../scripts/browser/png_check.py page.png

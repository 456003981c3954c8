#!/usr/bin/env bash
# The report page in a real browser: headless Chromium (Debian `chromium`) opens pages that
# `msrpcharge` wrote (two bench runs overlaid by `report`, and `plan --html`), takes a
# screenshot of each, and its DOM dump (--dump-dom) must hold every section and every plotted
# series; the screenshot must not be blank (scripts/browser/png_check.py: share of pixels not
# the background, distinct colours). No network: the pages fetch nothing.
# Usage: scripts/browser/report-chromium.sh BIN   (prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="report page in Chromium"
. scripts/lib/peer.sh
if ! command -v chromium >/dev/null; then
  { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >/dev/null 2>&1 \
    || skip "chromium cannot be installed"
fi
command -v python3 >/dev/null || skip "python3 is not installed (the PNG check)"
out=$(mktemp -d /tmp/msrpcharge-report-chromium.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$out"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

small=(--sessions 500 --duration 1 --workers 2 --no-progress)
"$bin" bench "${small[@]}" --mode offline --stages --stage-duration 0.3 --json "$out/offline.json" >/dev/null
"$bin" bench "${small[@]}" --mode both --json "$out/both.json" >/dev/null
"$bin" report "$out/offline.json" "$out/both.json" --html "$out/page.html" --title "offline against both"
"$bin" plan --per-core-rate 1000000 --interims 0,1,10,60 --html "$out/plan.html" >/dev/null

chrome() {
  timeout 90 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$out/profile" "$@" 2>>"$out/chromium.log"
}
shot() {  # shot PAGE HEIGHT: screenshot and DOM of PAGE; the PNG must not be blank
  chrome --window-size=1100,"$2" --screenshot="$out/$1.png" "file://$out/$1.html" >/dev/null \
    || { tail -5 "$out/chromium.log"; fail "chromium could not screenshot $1.html"; }
  chrome --dump-dom "file://$out/$1.html" >"$out/$1.dom.html" || fail "chromium could not dump the DOM of $1.html"
  local stats ink colours
  stats=$(python3 scripts/browser/png_check.py "$out/$1.png")
  ink=$(echo "$stats" | sed -n 's/.*ink=\([0-9.]*\).*/\1/p')
  colours=$(echo "$stats" | sed -n 's/.*colours=\([0-9]*\).*/\1/p')
  echo "ok: $1.png $stats"
  python3 -c "import sys; sys.exit(0 if $ink > 0.02 and $colours > 20 else 1)" || fail "$1.png looks blank ($stats)"
}
has() {  # has PAGE TEXT: the DOM Chromium built holds TEXT
  grep -qF -- "$2" "$out/$1.dom.html" || fail "$1: the DOM has no $2"
}

shot page 4600
for id in checks workload latency throughput p99-over-time stages charging; do has page "<section id=\"$id\">"; done
for run in offline both; do
  for name in $(python3 -c "import json,sys; print(' '.join(l['name'] for l in json.load(open('$out/$run.json'))['latency']))"); do
    has page "class=\"series\" data-run=\"$run\" data-name=\"$name\""
  done
  has page "data-run=\"$run\" data-check=\"conservation\" data-ok=\"true\""
done
series_file=$(grep -o '<polyline class="series"' "$out/page.html" | wc -l)
series_dom=$(grep -o '<polyline class="series"' "$out/page.dom.html" | wc -l)
[ "$series_file" -eq "$series_dom" ] && [ "$series_dom" -ge 8 ] || fail "$series_dom series in the DOM, $series_file in the file"
has page 'data-category="charging-every-message" data-run="offline"'
echo "ok: page.html: 7 sections, $series_dom plotted series, both runs' checks passed"

shot plan 1500
for id in plan plan-requests plan-cores; do has plan "<section id=\"$id\">"; done
bars=$(grep -o '<rect class="bar"' "$out/plan.dom.html" | wc -l)
[ "$bars" -eq 12 ] || fail "plan: $bars bars in the DOM, want 12 (4 intervals × interims, all requests, cores)"
echo "ok: plan.html: 3 sections, $bars bars"
peer_ran
echo "report page in Chromium: OK"

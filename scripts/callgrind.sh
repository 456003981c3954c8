#!/usr/bin/env bash
# Counts the instructions of the engine's timed loop per chunk with callgrind (repeatable,
# unlike times on a shared VM). valgrind cannot read this toolchain's DWARF 5, so it runs a
# `strip --strip-debug` copy of the release binary. Prints the instructions in the timed loop,
# the chunks, and their ratio; extra arguments go to `msrpcharge bench`.
# Usage: scripts/callgrind.sh [bench options]
#   (default: 1 worker, 300 000 chunks, 20 000 sessions, a 1-hour interim interval)
# Charging timers run on the clock, and valgrind slows the clock's world 50-fold: with the
# default 10 s interval, whether the flush timers fire inside the timed loop depends on how
# long valgrind takes on this machine that minute. The default here keeps interims out, so
# counts repeat; pass --interim-interval 0 for every message charged (also repeatable).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product msrpcharge >&2
out=$(mktemp -d)
strip --strip-debug -o "$out/msrpcharge" .build/release/msrpcharge
[ $# -gt 0 ] || set -- --workers 1 --chunks 300000 --sessions 20000 --interim-interval 3600
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  --toggle-collect='$s10LoadEngine0B6WorkerC5timed*' \
  "$out/msrpcharge" bench --no-progress --json "$out/report.json" "$@" > "$out/bench.txt" 2> "$out/valgrind.txt"
# awk reads to the end: exiting early would kill callgrind_annotate with SIGPIPE, which
# pipefail turns into a failure of the script.
instructions=$(callgrind_annotate "$out/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
chunks=$(python3 -c "import json; print(json.load(open('$out/report.json'))['throughput']['chunks'])")
echo "instructions in the timed loop: $instructions"
echo "chunks: $chunks"
python3 -c "print('instructions per chunk: %.0f' % ($instructions / $chunks))"
echo "(callgrind output and the per-function breakdown: callgrind_annotate $out/callgrind.out)"

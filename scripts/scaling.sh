#!/usr/bin/env bash
# How `bench` scales with workers on the machine it runs on: a static release binary (it runs
# on a machine without the Swift runtime, such as a lent many-core device), then
# `msrpcharge bench --workers N` for N = 1, 2, 4, … up to the CPU count, one JSON report each.
# Usage: scripts/scaling.sh build            (here: writes .build/scaling/msrpcharge)
#        scripts/scaling.sh run [BIN] [SECS] (anywhere: prints workers, chunks/s, conservation)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-run}" in
build)
  swift build -c release --product msrpcharge --static-swift-stdlib >&2
  mkdir -p .build/scaling
  cp .build/release/msrpcharge .build/scaling/msrpcharge
  cp "$(ldconfig -p | awk '/libjemalloc.so.2 / {print $NF; exit}')" .build/scaling/ 2>/dev/null || true
  echo ".build/scaling/msrpcharge"
  ;;
run)
  bin="${2:-.build/scaling/msrpcharge}"
  secs="${3:-5}"
  export LD_LIBRARY_PATH="$(dirname "$bin")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  cpus=$(nproc)
  n=1
  while [ "$n" -le "$cpus" ]; do
    "$bin" bench --no-progress --workers "$n" --duration "$secs" --json "/tmp/scaling-$n.json" >/dev/null
    python3 -c "import json; r=json.load(open('/tmp/scaling-$n.json')); print($n, '%.2f M chunks/s' % (r['throughput']['chunksPerSecond']/1e6), 'conservation', 'OK' if r['conservation']['ok'] else 'FAILED')"
    n=$((n * 2))
  done
  ;;
esac

#!/usr/bin/env bash
# `msrpcharge load` against `msrpcharge serve`, both on this machine (they share its cores:
# each row gives both processes' CPU seconds): chunks/s end to end with every message charged
# (window), p50/p99/p99.9 of SEND → 200 at half that rate (open loop), the set-up rate with CH-2
# online through the embedded enabler, and the in-memory `bench` figure as the ceiling.
# Usage: scripts/perf/load-serve.sh BIN   (SECONDS_RUN, SESSIONS, SETUP_SESSIONS)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${SECONDS_RUN:-5}
sessions=${SESSIONS:-20}
setups=${SETUP_SESSIONS:-5000}
out=$(mktemp -d /tmp/msrpcharge-load-serve.XXXXXX)
serve=""
cleanup() { [ -z "$serve" ] || kill -9 "$serve" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
. scripts/lib/ports.sh
port=$(port_base 42)
start_serve() {
  port=$((port + 10))
  "$bin" serve --sip 127.0.0.1:$port --msrp 127.0.0.1:$((port + 1)) --workers 1 --enabler-latency 0 \
    --expected-sessions 20000 "$@" >"$out/serve.log" 2>&1 &
  serve=$!
  for _ in $(seq 100); do grep -q "SIP on" "$out/serve.log" && return; sleep 0.1; done
  cat "$out/serve.log"; exit 1
}
# Stops serve; its CPU seconds go to $used (not a subshell: serve is this shell's child).
stop_serve() {
  used=$(cpu $serve)
  kill -INT $serve
  wait $serve
  serve=""
  grep -q "^conservation: ok" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: conservation"; exit 1; }
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$out/load.json" "$1"; }
load() {
  "$bin" load --target sip:127.0.0.1:$port --workers 1 --json "$out/load.json" --fail-if delivery "$@" >"$out/load.log" 2>&1 \
    || { cat "$out/load.log"; exit 1; }
}

echo "load → serve on this machine ($(nproc) cores shared by both), one worker each, one-chunk messages of 100 B"
echo "| row | figure | SEND → 200 p50 / p99 / p99.9 µs | serve CPU s | load CPU s |"
echo "|---|---:|---:|---:|---:|"
start_serve --mode offline --interim-interval 0
load --sessions "$sessions" --duration "$seconds" --window 64
max=$(field 'round(d["chunksPerSecond"])')
lat=$(field '"%.0f / %.0f / %.0f" % (d["latency"]["chunk"]["p50"], d["latency"]["chunk"]["p99"], d["latency"]["chunk"]["p999"])')
stop_serve
echo "| every message charged (CH-1 interim each), window 64, $sessions sessions, ${seconds} s | $max chunks/s | $lat | $used | $(field 'round(d["generatorCPUSeconds"], 2)') |"
half=$((max / 2))
start_serve --mode offline --interim-interval 0
load --sessions "$sessions" --duration "$seconds" --rate "$half"
lat=$(field '"%.0f / %.0f / %.0f" % (d["latency"]["chunk"]["p50"], d["latency"]["chunk"]["p99"], d["latency"]["chunk"]["p999"])')
stop_serve
echo "| the same at half that rate, $half/s open loop | $(field 'round(d["chunksPerSecond"])') chunks/s | $lat | $used | $(field 'round(d["generatorCPUSeconds"], 2)') |"
start_serve --mode both --interim-interval 0
load --sessions "$setups" --duration 0.2
rate=$(field 'round(d["sessionsSetUp"] / d["setupSeconds"])')
setup=$(field '"%.0f / %.0f / %.0f" % (d["latency"]["sessionSetUp"]["p50"], d["latency"]["sessionSetUp"]["p99"], d["latency"]["sessionSetUp"]["p999"])')
stop_serve
echo "| set-up with CH-2 online (embedded enabler), $setups sessions: INVITE → 200 p50 / p99 / p99.9 µs $setup | $rate sessions/s | – | $used | $(field 'round(d["generatorCPUSeconds"], 2)') |"
"$bin" bench --no-progress --duration "$seconds" --interim-interval 0 >"$out/bench.log" 2>&1
echo "| ceiling: in-memory bench, every message charged, both cores | $(sed -n 's/^  chunks .*(\(.*chunks\/s\)).*/\1/p' "$out/bench.log") | – | – | – |"

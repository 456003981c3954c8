#!/usr/bin/env bash
# Every completed message charged on the wire: `bench --interim-interval 0` against
# `msrpcharge enabler` on loopback, then the same bench with the embedded enabler, in one run.
# Both processes share this machine's cores: the script prints each one's CPU share.
# Usage: scripts/diameter-loopback.sh [BENCH OPTIONS…]   (default: --duration 10 --sessions 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
bin=.build/release/msrpcharge
out=${OUT:-.build/diameter-loopback}
mkdir -p "$out"
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--duration 10 --sessions 10000)
. scripts/lib/ports.sh
port=$(port_base 1)
"$bin" enabler --listen "127.0.0.1:$port" --enabler-latency 0 --no-interim-interval --ledger "$out/ledger.json" \
  >"$out/enabler.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/enabler.log" && break; sleep 0.1; done
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
c0=$(cpu $pid)
t0=$(date +%s.%N)
"$bin" bench "${args[@]}" --interim-interval 0 --enabler "diameter://127.0.0.1:$port" --json "$out/diameter.json" \
  --no-progress | tee "$out/diameter.txt"
t1=$(date +%s.%N)
c1=$(cpu $pid)
kill -INT $pid
wait $pid || true
trap - EXIT
cat "$out/enabler.log"
"$bin" bench "${args[@]}" --interim-interval 0 --json "$out/embedded.json" --no-progress >"$out/embedded.txt"
python3 - "$out" "$c0" "$c1" "$t0" "$t1" "$ticks" <<'PY'
import json, sys
out, c0, c1, t0, t1, ticks = sys.argv[1], *map(float, sys.argv[2:])
d = json.load(open(out + "/diameter.json")); e = json.load(open(out + "/embedded.json"))
def interims(r): return r["charging"]["interimsPerSecond"]
wire = d["diameter"][0]
rt = next(l for l in d["latency"] if l["name"] == "charging-round-trip")
print(f"Diameter: {d['throughput']['chunksPerSecond']/1e3:.0f} k chunks/s, {interims(d)/1e3:.0f} k CH-1 interims/s, "
      f"owner's round trip p50 {rt['p50']:.0f} µs p99 {rt['p99']:.0f} µs, wire round trip p50 {wire['roundTrip']['p50']:.0f} µs "
      f"p99 {wire['roundTrip']['p99']:.0f} µs; conservation {'OK' if d['conservation']['ok'] else 'FAILED'}")
print(f"Embedded: {e['throughput']['chunksPerSecond']/1e3:.0f} k chunks/s, {interims(e)/1e3:.0f} k CH-1 interims/s")
print(f"Ratio Diameter/embedded: {d['throughput']['chunksPerSecond']/e['throughput']['chunksPerSecond']:.2f}x chunks/s")
share = (c1 - c0) / ticks / (t1 - t0)
print(f"CPU: bench workers {d['throughput']['perWorkerCPUShare']}, machine {d['machine']['busyShare']*100:.0f}% busy; "
      f"enabler process {share*100:.0f}% of one core over the bench's wall time (set-up and end included)")
PY

#!/usr/bin/env bash
# Two `msrpcharge enabler` processes, a bench charging every message through both, and one of
# them killed (SIGKILL) mid-run: the bench's conservation check (usage accepted = usage
# acknowledged) and `reconcile` over both journals must pass. Both enablers and the bench share
# this machine's cores.
# Usage: scripts/diameter-failover.sh [BIN]   (default: a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ -z "$bin" ]; then
  swift build -c release >/dev/null
  bin=.build/release/msrpcharge
fi
out=${OUT:-.build/diameter-failover}
rm -rf "$out"
mkdir -p "$out"
. scripts/lib/ports.sh
base=$(port_base 2)
pids=()
for i in 0 1; do
  "$bin" enabler --listen "127.0.0.1:$((base + i))" --enabler-latency 0 --no-interim-interval \
    --journal "$out/enabler$i.journal" >"$out/enabler$i.log" 2>&1 &
  pids+=($!)
done
trap 'kill ${pids[*]} 2>/dev/null || true' EXIT
for i in 0 1; do
  for _ in $(seq 100); do grep -q listening "$out/enabler$i.log" && break; sleep 0.1; done
done
(sleep 1.5 && kill -9 "${pids[0]}" && echo "killed enabler 0 (pid ${pids[0]}) with SIGKILL") &
killer=$!
status=0
"$bin" bench --sessions 2000 --duration 4 --rate "${RATE:-40000}" --mode both --interim-interval 0 --tx-timeout 0.2 \
  --enabler "diameter://127.0.0.1:$base,diameter://127.0.0.1:$((base + 1))" \
  --json "$out/bench.json" --json-sessions --no-progress >"$out/bench.txt" || status=$?
wait $killer
grep -E "Diameter|Conservation|retransmissions" "$out/bench.txt"
kill -INT "${pids[1]}"
wait "${pids[1]}" || true
trap - EXIT
"$bin" reconcile "$out/bench.json" "$out/enabler0.journal" "$out/enabler1.journal" || status=$?
exit $status

#!/usr/bin/env bash
# Two `msrpcharge enabler` processes, a bench charging every message through both, and
# enablers killed (SIGKILL) mid-run. The bench's conservation is checked against both
# enablers' journals (--enabler-journal: what they booked, not what the client was told), and
# `reconcile` over both journals must pass too (no record lost, none charged twice). The bench
# must end within a few Tx of its duration: a hang is a failure (timeout).
# Both enablers and the bench share this machine's cores.
#
# Usage: scripts/diameter-failover.sh [BIN]   (default: a release build)
#   RATE=N       pace the bench at N chunks/s (default: unpaced, as fast as it goes)
#   SCENARIO=one one enabler killed 2 s in (default)
#   SCENARIO=both both killed (2 s and 2.5 s in), the second restarted at 3 s on its port
#   DURATION=S   the bench's timed phase (default 5 s)
#   DRIVER=serve serve charges through the enablers, load drives it (50 sessions, unpaced)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ -z "$bin" ]; then
  swift build -c release >/dev/null
  bin=.build/release/msrpcharge
fi
scenario=${SCENARIO:-one}
driver=${DRIVER:-bench}
duration=${DURATION:-5}
out=${OUT:-.build/diameter-failover-$scenario${DRIVER:+-$DRIVER}}
rm -rf "$out"
mkdir -p "$out"
. scripts/lib/ports.sh
# Two enablers; with DRIVER=serve, serve's SIP port and its two workers' MSRP ports.
base=$(port_base 5)
pids=()
start_enabler() { # index, journal
  "$bin" enabler --listen "127.0.0.1:$((base + $1))" --enabler-latency 0 --no-interim-interval \
    --journal "$2" >"$out/enabler$1.$(basename "$2").log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 100); do grep -q listening "$out/enabler$1.$(basename "$2").log" && return 0; sleep 0.1; done
  echo "FAILED: enabler $1 did not start"
  exit 1
}
start_enabler 0 "$out/e0.journal"
start_enabler 1 "$out/e1.journal"
journals=("$out/e0.journal" "$out/e1.journal")
cleanup() { kill ${pids[*]} 2>/dev/null || true; }
trap cleanup EXIT
if [ "$scenario" = both ]; then
  journals+=("$out/e1-restarted.journal")
  (
    sleep 2 && kill -9 "${pids[0]}" && echo "killed enabler 0 with SIGKILL at 2 s"
    sleep 0.5 && kill -9 "${pids[1]}" && echo "killed enabler 1 with SIGKILL at 2.5 s: none left"
    sleep 0.5
    "$bin" enabler --listen "127.0.0.1:$((base + 1))" --enabler-latency 0 --no-interim-interval \
      --journal "$out/e1-restarted.journal" >"$out/enabler1.restarted.log" 2>&1 &
    echo $! >"$out/restarted.pid"
    echo "restarted enabler 1 at 3 s (journal e1-restarted.journal)"
  ) &
else
  (sleep 2 && kill -9 "${pids[0]}" && echo "killed enabler 0 (pid ${pids[0]}) with SIGKILL at 2 s") &
fi
killer=$!
pace=()
[ -n "${RATE:-}" ] && pace=(--rate "$RATE")
status=0
started=$(date +%s.%N)
if [ "$driver" = bench ]; then
  # The bench's own limit: its duration, Tx × attempts for the records in flight, and the
  # session ends; 60 s more than that is a hang.
  timeout --signal=KILL $((duration + 60)) "$bin" bench --sessions 2000 --duration "$duration" "${pace[@]}" \
    --mode both --interim-interval 0 --tx-timeout 0.2 \
    --enabler "diameter://127.0.0.1:$base,diameter://127.0.0.1:$((base + 1))" \
    --enabler-journal "$out/e0.journal" --enabler-journal "$out/e1.journal" \
    $([ "$scenario" = both ] && echo --enabler-journal "$out/e1-restarted.journal") \
    --json "$out/bench.json" --json-sessions --no-progress >"$out/bench.txt" 2>"$out/bench.err" || status=$?
  result="$out/bench.json"
  timed=bench
else
  # serve between load and the two enablers: load's sessions end with BYE, then serve is asked
  # to stop (SIGINT: every CH-1 stop and CH-2 termination sent and answered).
  sip=$((base + 2))
  "$bin" serve --sip 127.0.0.1:$sip --msrp 127.0.0.1:$((sip + 1)) --workers 2 --mode both --interim-interval 0 \
    --tx-timeout 0.2 --enabler "diameter://127.0.0.1:$base,diameter://127.0.0.1:$((base + 1))" \
    >"$out/serve.txt" 2>"$out/serve.err" &
  serve=$!
  pids+=("$serve")
  for _ in $(seq 100); do grep -q "msrpcharge serve: SIP on" "$out/serve.txt" "$out/serve.err" 2>/dev/null && break; sleep 0.1; done
  timeout --signal=KILL $((duration + 60)) "$bin" load --target sip:127.0.0.1:$sip --sessions 50 --workers 1 \
    --duration "$duration" "${pace[@]}" --json "$out/load.json" --json-sessions \
    >"$out/load.txt" 2>"$out/load.err" || status=$?
  kill -INT "$serve"
  timeout --signal=KILL 30 tail --pid="$serve" -f /dev/null || { echo "FAILED: serve did not stop"; status=1; }
  wait "$serve" 2>/dev/null || { echo "FAILED: serve exited with $?"; status=1; }
  grep -E "^(accepted|conservation|acknowledged|charging|Diameter)" "$out/serve.txt" || true
  grep -E "delivery" "$out/load.txt" || cat "$out/load.err"
  result="$out/load.json"
  timed=load
fi
ended=$(date +%s.%N)
wait $killer
[ -f "$out/restarted.pid" ] && pids+=("$(cat "$out/restarted.pid")")
elapsed=$(echo "$ended - $started" | bc)
echo "$driver: exit $status after $elapsed s (timed phase $duration s)"
if [ "$status" = 137 ]; then
  echo "FAILED: $timed hung (killed after $((duration + 60)) s)"
  tail -5 "$out/$timed.err"
  exit 1
fi
if [ "$driver" = bench ]; then
  grep -E "Diameter|Conservation|Acknowledged|retransmissions|back-pressure" "$out/bench.txt" || cat "$out/bench.err"
fi
for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
trap - EXIT
"$bin" reconcile "$result" "${journals[@]}" --mode both || status=$?
exit $status

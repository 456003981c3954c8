#!/usr/bin/env bash
# load's delivery check against a relay that lies: `load --relay` sends every chunk through
# scripts/interop/faulty_msrp_relay.py in front of `serve`, honest once, then lying once per
# run (a chunk dropped and answered 200 by the relay, a byte altered, a chunk duplicated,
# reordered, misrouted to another session, its 200 dropped, a 403 forged). The honest relay
# must pass; each lie must make load exit 3 with `delivery: FAILED` naming what went wrong.
# Usage: scripts/faulty-relay.sh BIN   (FAULTS="drop alter …" to run some)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
out=$(mktemp -d /tmp/msrpcharge-relay.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$out"; }
trap cleanup EXIT
. scripts/lib/ports.sh
base=$(port_base 3)
sip=$base
"$bin" serve --sip 127.0.0.1:$sip --msrp 127.0.0.1:$((base + 1)) --workers 1 --mode offline --interim-interval 0 \
  --enabler-latency 0 >"$out/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "msrpcharge serve: SIP on" "$out/serve.log" && break; sleep 0.1; done
relay=$((base + 2))
# fault → what the FAILED detail must say
declare -A want=(
  [drop]="lost before it"
  [alter]="is not the one sent"
  [duplicate]="repeated|which no chunk awaits"
  [reorder]="lost before it|reordered"
  [misroute]="answered 481|delivered to session"
  [drop-response]="still waited for responses"
  [forge-403]="answered 403"
)
status=0
for fault in none ${FAULTS:-drop alter duplicate reorder misroute drop-response forge-403}; do
  python3 scripts/interop/faulty_msrp_relay.py $relay "$fault" 40 >"$out/relay-$fault.log" 2>&1 &
  rp=$!
  for _ in $(seq 100); do grep -q listening "$out/relay-$fault.log" && break; sleep 0.1; done
  rc=0
  "$bin" load --target sip:127.0.0.1:$sip --workers 1 --sessions 4 --chunks 400 --window 4 \
    --relay "msrp://127.0.0.1:$relay;tcp" >"$out/load-$fault.txt" 2>&1 || rc=$?
  # SIGKILL: a script started from a test may inherit a blocked SIGTERM.
  kill -9 $rp 2>/dev/null || true
  wait $rp 2>/dev/null || true
  line=$(grep "^delivery:" "$out/load-$fault.txt" || echo "delivery: (none printed)")
  lied=$(grep "^fault:" "$out/relay-$fault.log" || true)
  if [ "$fault" = none ]; then
    if [ $rc = 0 ] && [[ "$line" == "delivery: OK"* ]]; then
      echo "ok: honest relay: $line"
    else
      echo "FAILED: through the honest relay load exited $rc: $line"; cat "$out/load-$fault.txt"; status=1
    fi
  elif [ -z "$lied" ]; then
    echo "FAILED: the relay never applied $fault"; status=1
  elif [ $rc = 3 ] && [[ "$line" == "delivery: FAILED"* ]] && echo "$line" | grep -Eq "${want[$fault]}"; then
    echo "ok: $fault caught (exit 3): ${line:0:220}"
  else
    echo "FAILED: $fault ($lied) not caught as it should be: exit $rc, $line"; status=1
  fi
done
kill -INT "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
pids=()
[ $status = 0 ] && echo "faulty relay: OK (the honest relay passes; each of its lies fails load's delivery check, named)"
exit $status

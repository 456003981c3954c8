#!/usr/bin/env bash
# load → serve on loopback, a short stress run: charging both (CH-1 on every message, CH-2),
# a slow and lossy embedded enabler (exponential latency, 2 % of requests never answered, Tx
# 50 ms: retransmissions), chunked and aborted messages, Failure-Report no and partial. Fails
# on any byte lost or altered on the way (load's delivery check), on any usage accepted but not
# charged (serve's per-session conservation check), when what serve accepted differs from what
# load sent, or when `reconcile` finds a session charged other than load sent it.
# Usage: scripts/load-serve-stress.sh BIN   (SECONDS_RUN, SESSIONS)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
seconds=${SECONDS_RUN:-3}
sessions=${SESSIONS:-200}
out=$(mktemp -d /tmp/msrpcharge-stress.XXXXXX)
serve=""
cleanup() { [ -z "$serve" ] || kill -9 "$serve" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$out"; }
trap cleanup EXIT
. scripts/lib/ports.sh
sip=$(port_base 2)
"$bin" serve --sip 127.0.0.1:$sip --msrp 127.0.0.1:$((sip + 1)) --workers 2 --mode both --interim-interval 0 \
  --enabler-latency exp:2 --timeout-share 0.02 --tx-timeout 0.05 --ledger "$out/ledger.json" >"$out/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q "msrpcharge serve: SIP on" "$out/serve.log" && break; sleep 0.1; done
"$bin" load --target sip:127.0.0.1:$sip --sessions "$sessions" --duration "$seconds" --workers 2 --size 1-4000 \
  --chunk-size 1000 --multi-chunk-share 0.2 --aborted-share 0.05 --failure-report-no 0.05 \
  --failure-report-partial 0.05 --json "$out/load.json" --json-sessions --fail-if delivery --no-progress \
  2>"$out/load.err" || { status=$?; cat "$out/load.err"; echo "FAILED: load exited with $status"; exit 1; }
# --no-progress, as bench's: nothing on standard error but what went wrong.
if grep -q "sessions set up" "$out/load.err"; then cat "$out/load.err"; echo "FAILED: load --no-progress printed progress"; exit 1; fi
kill -INT $serve
wait $serve || { cat "$out/serve.log"; echo "FAILED: serve exited with $?"; exit 1; }
serve=""
cat "$out/serve.log"
grep -q "^conservation: ok" "$out/serve.log" || { echo "FAILED: serve's conservation check"; exit 1; }
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytesSent"])' "$out/load.json")
accepted=$(sed -n 's/^accepted: .* \([0-9]*\) B$/\1/p' "$out/serve.log")
[ "$sent" = "$accepted" ] || { echo "FAILED: load sent $sent bytes, serve accepted $accepted"; exit 1; }
# Session by session: what the enabler charged (serve's --ledger) is what load sent.
"$bin" reconcile "$out/load.json" "$out/ledger.json" --mode both
echo "load → serve stress: OK ($sent bytes sent, delivered and charged once, session by session)"

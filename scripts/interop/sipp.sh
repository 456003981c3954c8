#!/usr/bin/env bash
# SIPp (Debian sip-tester), the SIP load tool, against `msrpcharge serve`: a registered SIPp
# recipient (its MSRP path is msrp_sink.py) and a SIPp caller offering MSRP (INVITE, 200, ACK,
# pause, BYE) for CALLS calls at RATE per second: every call must succeed (SIPp's exit status),
# serve must count them set up and ended, and its conservation check must pass. Then the
# 403 path: serve with an enabler that denies every CH-2 request, and a SIPp caller that
# requires a 403 whose Reason header names 4012 DIAMETER_CREDIT_LIMIT_REACHED. Last, SIPp as
# the recipient UAS of `msrpcharge load`: load's callers INVITE the AOR SIPp registered
# (--recipient), SIPp answers with load's MSRP listener as its path, and load's delivery check,
# SIPp's exit status and serve's conservation check must all pass.
# Usage: scripts/interop/sipp.sh BIN   (CALLS, RATE; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
calls=${CALLS:-200}
rate=${RATE:-50}
PEER="SIPp interop"
. scripts/lib/peer.sh
if ! command -v sipp >/dev/null; then
  { apt-get install -y sip-tester || { apt-get update && apt-get install -y sip-tester; }; } >/dev/null 2>&1 \
    || skip "sip-tester cannot be installed"
fi
command -v python3 >/dev/null || skip "python3 is not installed (the MSRP sink)"
. scripts/interop/serve-common.sh
. scripts/lib/ports.sh
base=$(port_base 14)
sip=$base msrp=$((base + 1)) sink=$((base + 10)) uas=$((base + 11)) uac=$((base + 12)) lmsrp=$((base + 13))
d=scripts/interop/sipp
sed "s/SINKPORT/$sink/g" $d/uas.xml >"$out/uas.xml"

python3 scripts/interop/msrp_sink.py $sink "$out/sink.txt" >"$out/sink.log" 2>&1 &
pids+=($!)

serve2() { start_serve "$bin" "$out/serve.log" --sip 127.0.0.1:$sip --msrp 127.0.0.1:$msrp --workers 2 --enabler-latency 0 "$@"; }
sippr() { sipp 127.0.0.1:$sip -i 127.0.0.1 -nostdin -trace_err -error_file "$out/$1.err" "${@:2}" >"$out/$1.log" 2>&1; }

# 1. Calls offering MSRP, charged online and offline.
serve2 --mode both --interim-interval 0 --ledger "$out/ledger.json"
sippr register -sf $d/register.xml -p $uas -m 1 -timeout 10s -timeout_error || { cat "$out/register.log"; echo "FAILED: REGISTER"; exit 1; }
sippr uas -sf "$out/uas.xml" -p $uas -m "$calls" -timeout 120s -timeout_error &
uaspid=$!
pids+=($uaspid)
sleep 0.5
started=$(date +%s.%N)
if ! sippr uac -sf $d/uac.xml -p $uac -m "$calls" -r "$rate" -l 100 -timeout 120s -timeout_error; then
  tail -20 "$out/uac.log"; cat "$out/uac.err" 2>/dev/null | head -20; echo "FAILED: SIPp caller"; exit 1
fi
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
wait $uaspid || { tail -20 "$out/uas.log"; echo "FAILED: SIPp recipient"; exit 1; }
stop_serve "$out/serve.log"
cat "$out/serve.log"
grep -q "sessions: $calls set up, 0 refused, $calls ended" "$out/serve.log" || { echo "FAILED: serve did not set up and end $calls sessions"; exit 1; }
grep -q "^conservation: ok" "$out/serve.log" || { echo "FAILED: conservation"; exit 1; }
grep -q "CH-2 initial $calls," "$out/serve.log" || { echo "FAILED: not one CH-2 start per call"; exit 1; }
grep -q "CH-2 termination $calls;" "$out/serve.log" \
  || { echo "FAILED: not one CH-2 termination per call"; exit 1; }
# SIPp sends no MSRP: what reached the recipient's MSRP endpoint is serve's binding SEND per
# call and nothing else. The sink's own counts (written when it stops) against serve's ledger:
# every body byte the sink received was charged, and none more.
sleep 0.3 # the sink rewrites its counts within 0.1 s of a change
sinkcounts=$(cat "$out/sink.txt")
sinkbytes=$(echo "$sinkcounts" | sed -n 's/.*body_bytes=\([0-9]*\).*/\1/p')
sinkconns=$(echo "$sinkcounts" | sed -n 's/.*connections=\([0-9]*\).*/\1/p')
charged=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totalOfflineBytes"])' "$out/ledger.json")
[ "$sinkconns" = "$calls" ] || { echo "FAILED: serve opened $sinkconns MSRP connections to the SIPp recipient's path for $calls calls ($sinkcounts)"; exit 1; }
[ "$sinkbytes" = "$charged" ] || { echo "FAILED: the recipient got $sinkbytes body bytes, serve charged $charged ($sinkcounts)"; exit 1; }
echo "SIPp: $calls calls at $rate/s in ${elapsed} s, 0 failed (SIPp's exit status 0 for caller and recipient); the recipient's MSRP endpoint: $sinkcounts, $charged bytes charged (SIPp carries no MSRP: part 3 loads MSRP)"


# 2. Credit refused: 403 with the Result-Code.
serve2 --mode online --denial-share 1
sippr register -sf $d/register.xml -p $uas -m 1 -timeout 10s -timeout_error || { echo "FAILED: REGISTER"; exit 1; }
denied=$((calls < 20 ? calls : 20))
if ! sippr uac403 -sf $d/uac-denied.xml -p $uac -m $denied -r "$rate" -timeout 60s -timeout_error; then
  tail -20 "$out/uac403.log"; cat "$out/uac403.err" 2>/dev/null | head; echo "FAILED: SIPp caller expecting 403"; exit 1
fi
stop_serve "$out/serve.log"
grep -q "sessions: 0 set up, $denied refused" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: not $denied refused"; exit 1; }
echo "SIPp: $denied calls refused 403 with Reason: SIP;cause=403;text=\"4012 DIAMETER_CREDIT_LIMIT_REACHED\""
# 3. SIPp as the recipient UAS of `msrpcharge load` (SIP by SIPp, MSRP checked by load).
sed "s/SINKPORT/$lmsrp/g" $d/uas.xml >"$out/uas-load.xml"
sessions=$((calls < 50 ? calls : 50))
serve2 --mode both --interim-interval 0
sippr register2 -sf $d/register.xml -p $uas -m 1 -timeout 10s -timeout_error || { echo "FAILED: REGISTER"; exit 1; }
sippr uasload -sf "$out/uas-load.xml" -p $uas -m "$sessions" -timeout 120s -timeout_error &
uaspid=$!
pids+=($uaspid)
sleep 0.5
if ! "$bin" load --target sip:127.0.0.1:$sip --msrp-listen 127.0.0.1:$lmsrp --recipient sip:bob@example.test \
  --sessions "$sessions" --duration 2 --multi-chunk-share 0.3 --fail-if delivery >"$out/load.txt" 2>"$out/load.err"; then
  cat "$out/load.txt" "$out/load.err"; echo "FAILED: load with SIPp as its recipient"; exit 1
fi
wait $uaspid || { tail -20 "$out/uasload.log"; echo "FAILED: SIPp recipient of load"; exit 1; }
stop_serve "$out/serve.log"
grep -q "sessions: $sessions set up, 0 refused, $sessions ended" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: serve did not set up and end $sessions sessions"; exit 1; }
grep -q "^conservation: ok" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: conservation"; exit 1; }
grep -E "^(msrpcharge load|traffic|delivery)" "$out/load.txt" || true
grep -q "^delivery: OK" "$out/load.txt" || { cat "$out/load.txt"; echo "FAILED: load's delivery check"; exit 1; }
echo "SIPp as load's recipient UAS: $sessions sessions set up and ended, every message delivered (SIPp's exit status 0)"
peer_ran
echo "SIPp interop: OK"

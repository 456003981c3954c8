#!/usr/bin/env bash
# Kamailio's msrp module as an RFC 4976 relay in front of `msrpcharge serve`: callers send their
# chunks through it (To-Path: the relay, then serve's path), Kamailio relays each by the
# To-Path's next hop and adds itself to From-Path, serve answers, forwards and charges them, and
# the 200 OKs go back through the relay. A third implementation's MSRP framing against ours:
# `msrpcharge load --relay` plays both ends (chunked and aborted messages, its delivery check:
# every byte reaches the recipient once, in order), every chunk that asks for a 200 gets one,
# serve counts each chunk accepted and charged, and its conservation check passes.
# Usage: scripts/interop/kamailio.sh BIN   (CHUNKS_PER_SECOND, SECONDS; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
rate=${CHUNKS_PER_SECOND:-400}
seconds=${SECONDS_RUN:-2}
PEER="Kamailio MSRP relay interop"
. scripts/lib/peer.sh
if ! command -v kamailio >/dev/null; then
  { apt-get install -y kamailio || { apt-get update && apt-get install -y kamailio; }; } >/dev/null 2>&1 \
    || skip "kamailio cannot be installed"
fi
modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
[ -f $modules/msrp.so ] || skip "Kamailio's msrp module is not in $modules"
. scripts/interop/serve-common.sh
. scripts/lib/ports.sh
sip=$(port_base 6)
msrp=$((sip + 1)) relay=$((sip + 5))
sed "s/KAMPORT/$relay/; s/CHILDREN/2/g" scripts/interop/kamailio/msrp-relay.cfg >"$out/kamailio.cfg"
kamailio -DD -E -f "$out/kamailio.cfg" >"$out/kamailio.log" 2>&1 &
pids+=($!)
start_serve "$bin" "$out/serve.log" --sip 127.0.0.1:$sip --msrp 127.0.0.1:$msrp --workers 1 --mode offline \
  --interim-interval 0 --enabler-latency 0 --ledger "$out/ledger.json"
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$relay) 2>/dev/null && break; sleep 0.1; done
sleep 0.5 # its TCP workers take the listener a little after the main process binds it
"$bin" load --target sip:127.0.0.1:$sip --relay "msrp://127.0.0.1:$relay;tcp" --sessions 4 --workers 1 \
  --duration "$seconds" --rate "$rate" --size 10-3000 --chunk-size 1000 --multi-chunk-share 0.3 --aborted-share 0.05 \
  --json "$out/load.json" --fail-if delivery | tee "$out/load.log" \
  || { tail -20 "$out/kamailio.log"; echo "FAILED: load through the relay"; exit 1; }
stop_serve "$out/serve.log"
cat "$out/serve.log"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["chunksSent"])' "$out/load.json")
answered=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["responses"].get("200", 0))' "$out/load.json")
chunks=$(sed -n 's/^MSRP: \([0-9]*\) chunks.*/\1/p' "$out/serve.log")
[ "$answered" -gt 0 ] || { echo "FAILED: nothing answered through the relay"; exit 1; }
[ "$chunks" = "$sent" ] || { echo "FAILED: load sent $sent chunks through the relay, serve got $chunks"; exit 1; }
grep -q "^conservation: ok" "$out/serve.log" || { echo "FAILED: conservation"; exit 1; }
peer_ran
echo "Kamailio MSRP relay interop: OK ($sent chunks relayed by Kamailio and delivered once, $answered answered 200 through it, charged by serve)"

#!/usr/bin/env bash
# tshark, Wireshark's SIP, SDP and MSRP dissectors, as the judge of serve's and load's bytes:
# sessions set up over SIP/UDP and a few hundred one-chunk messages relayed (`msrpcharge load`
# plays both ends) are captured on loopback, then dissected. Every SIP method of the flow and the SDP's
# TCP/MSRP media must be there; every MSRP frame must dissect with the fields sent (the
# forwarded SENDs carry the server's From-Path, the recipient's To-Path, the Byte-Range and
# Message-ID as received); the expert info must hold no error and no warning.
# Usage: scripts/interop/serve-tshark.sh BIN   (root; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="serve tshark interop"
. scripts/lib/peer.sh
[ "$(id -u)" -eq 0 ] || skip "capturing needs root"
command -v tshark >/dev/null || skip "tshark is not installed (scripts/bootstrap.sh installs it)"
. scripts/lib/tshark.sh
expert_selftest || exit 1
. scripts/interop/serve-common.sh
. scripts/lib/ports.sh
sip=$(port_base 3)
msrp=$((sip + 1))
# load's recipients listen here: the capture takes these three ports alone, not every TCP
# connection on loopback (tests running beside this one put their own traffic there, and
# tshark's expert checks then judged theirs too).
lr=$((sip + 2))
start_serve "$bin" "$out/serve.log" --sip 127.0.0.1:$sip --msrp 127.0.0.1:$msrp --workers 1 --mode offline \
  --interim-interval 0 --enabler-latency 0
tshark -i lo -f "udp port $sip or tcp port $msrp or tcp port $lr" -w "$out/serve.pcapng" -a duration:7 >"$out/tshark.log" 2>&1 &
capture=$!
sleep 2.5 # dumpcap's filter is live only some time after "Capturing on"
"$bin" load --target sip:127.0.0.1:$sip --msrp-listen 127.0.0.1:$lr --sessions 2 --workers 1 --duration 1 --rate 300 --size 100 \
  --multi-chunk-share 0 --aborted-share 0 --json "$out/load.json" --fail-if delivery | tee "$out/load.log"
stop_serve "$out/serve.log"
wait $capture || true
dissect() { tshark -r "$out/serve.pcapng" -d "udp.port==$sip,sip" -d "tcp.port==$msrp,msrp" "$@" 2>/dev/null; }
methods=$(dissect -Y sip -T fields -e sip.Method -e sip.Status-Code | tr '\t' ' ' | sed 's/^ *//' | sort | uniq -c)
echo "$methods"
for m in REGISTER INVITE ACK BYE 100 200; do
  echo "$methods" | grep -qw "$m" || { echo "FAILED: no SIP $m in the capture"; exit 1; }
done
proto=$(dissect -Y sdp -T fields -e sdp.media.proto | sort -u | tr '\n' ' ')
[[ "$proto" == *TCP/MSRP* ]] || { echo "FAILED: the SDP has no TCP/MSRP media ($proto)"; exit 1; }
frames=$(dissect -Y msrp -T fields -e msrp.method -e msrp.status.code | tr '\t' ' ' | sed 's/^ *//' | sort | uniq -c)
echo "$frames"
sends=$(dissect -Y 'msrp.method == "SEND" && msrp.byte.range == "1-100/100"' -T fields -e msrp.transaction.id | wc -l)
oks=$(dissect -Y 'msrp.status.code == 200' -T fields -e msrp.transaction.id | wc -l)
chunks=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["chunksSent"])' "$out/load.json")
# Each chunk crosses the wire twice (caller → server, server → recipient) and is answered twice.
[ "$sends" -ge $((2 * chunks)) ] || { echo "FAILED: $sends SENDs of 100 bytes dissected for $chunks chunks"; exit 1; }
[ "$oks" -ge $((2 * chunks)) ] || { echo "FAILED: $oks 200 responses dissected for $chunks chunks"; exit 1; }
# The forwarded SENDs: From-Path is the server's, To-Path the recipient's (load's lr0, lr1).
forwarded=$(dissect -Y 'msrp.method == "SEND" && msrp.to.path contains "/lr"' -T fields -e msrp.from.path -e msrp.messageid | sort -u | awk 'NR <= 3')
echo "$forwarded" | grep -q "msrp://127.0.0.1:$msrp/" || { echo "FAILED: forwarded SENDs do not carry the server's From-Path"; echo "$forwarded"; exit 1; }
expert=$(expert_problems -r "$out/serve.pcapng" -d "udp.port==$sip,sip" -d "tcp.port==$msrp,msrp")
[ -z "$expert" ] || { echo "FAILED: tshark's expert info:"; echo "$expert"; exit 1; }
peer_ran
echo "serve tshark interop: OK ($chunks chunks: $sends SENDs and $oks 200 OKs dissected as MSRP, SIP and SDP complete, no expert error or warning)"

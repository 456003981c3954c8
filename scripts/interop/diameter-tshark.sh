#!/usr/bin/env bash
# tshark, Wireshark's Diameter dissector, as the judge of the bytes: a short bench (online and
# offline charging, every message) against `enabler` on loopback is captured, then dissected.
# Every message must be Diameter, every AVP known to the dissector (no "Unknown AVP"), and the
# expert info must hold no error and no warning (a malformed packet shows there).
# Usage: scripts/interop/diameter-tshark.sh BIN   (root; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="Diameter tshark interop"
. scripts/lib/peer.sh
[ "$(id -u)" -eq 0 ] || skip "capturing needs root"
command -v tshark >/dev/null || skip "tshark is not installed (scripts/bootstrap.sh installs it)"
. scripts/lib/tshark.sh
expert_selftest || exit 1
out=$(mktemp -d /tmp/msrpcharge-tshark.XXXXXX)
. scripts/lib/ports.sh
port=$(port_base 1)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$out"; }
trap cleanup EXIT
"$bin" enabler --listen "127.0.0.1:$port" --enabler-latency 0 --no-interim-interval --validity 30 --credit-per-session 2500 \
  >"$out/enabler.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$out/enabler.log" && break; sleep 0.1; done
tshark -i lo -f "tcp port $port" -w "$out/diameter.pcapng" -a duration:8 >"$out/tshark.log" 2>&1 &
capture=$!
sleep 2.5 # dumpcap's filter is live only some time after "Capturing on"
"$bin" bench --sessions 50 --duration 1 --rate 2000 --mode both --interim-interval 0 --granted-units 1000 \
  --enabler "diameter://127.0.0.1:$port" --no-progress >"$out/bench.log" 2>&1 || true
kill -INT "${pids[0]}"
wait "${pids[0]}" || true
wait $capture || true
dissect() { tshark -r "$out/diameter.pcapng" -d "tcp.port==$port,diameter" "$@"; }
messages=$(dissect -Y diameter -T fields -e diameter.cmd.code | tr ',' '\n' | sort | uniq -c)
echo "$messages"
for code in 257 271 272 282; do
  echo "$messages" | grep -q " $code\$" || { echo "FAILED: no Diameter command $code in the capture"; exit 1; }
done
unknown=$(dissect -V -Y diameter | grep -c "Unknown AVP" || true)
expert=$(expert_problems -r "$out/diameter.pcapng" -d "tcp.port==$port,diameter")
avps=$(dissect -Y diameter -T fields -e diameter.avp.code | tr ',' '\n' | sort -un | tr '\n' ' ')
echo "AVP codes seen: $avps"
[ "$unknown" = 0 ] || { echo "FAILED: $unknown AVPs unknown to the dissector"; dissect -V -Y diameter | grep -B3 "Unknown AVP" | head -20; exit 1; }
[ -z "$expert" ] || { echo "FAILED: tshark's expert info:"; echo "$expert"; exit 1; }
peer_ran
echo "Diameter tshark interop: OK ($(dissect -Y diameter | wc -l) packets, every AVP known, no expert error or warning)"

#!/usr/bin/env bash
# tshark, Wireshark's Diameter dissector, as the judge of the bytes: a short bench (online and
# offline charging, every message) against `enabler` on loopback is captured, then dissected.
# Every message must be Diameter, every AVP known to the dissector (no "Unknown AVP"), and the
# expert info must hold no error and no warning (a malformed packet shows there).
# With the default charging profile (3gpp), every ACR and CCR must carry TS 32.299's fields
# (checked per request kind below); PROFILE=minimal runs the bench without them, which must
# fail that check (the test shows it catching the fault).
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
"$bin" enabler --listen "127.0.0.1:$port" --origin-host ocs.msrpcharge.test --enabler-latency 0 --no-interim-interval --validity 30 --credit-per-session 2500 \
  >"$out/enabler.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$out/enabler.log" && break; sleep 0.1; done
tshark -i lo -f "tcp port $port" -w "$out/diameter.pcapng" -a duration:8 >"$out/tshark.log" 2>&1 &
capture=$!
sleep 2.5 # dumpcap's filter is live only some time after "Capturing on"
"$bin" bench --sessions 50 --duration 1 --rate 2000 --mode both --interim-interval 0 --granted-units 1000 \
  --enabler "diameter://127.0.0.1:$port" --charging-profile "${PROFILE:-3gpp}" --no-progress >"$out/bench.log" 2>&1 || true
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
# TS 32.299 as Wireshark reads it (the bench runs the default profile, 3gpp): every ACR and CCR
# names the service (Service-Context-Id 32260@3gpp.org), the user (Subscription-Id) and the IMS
# session (IMS-Information with IMS-Charging-Identifier); every CCR's MSCC has a Rating-Group,
# and each CCR-U and CCR-T a Used-Service-Unit and the Destination-Host of the OCS that
# answered the session's CCR-I (the enabler's Origin-Host).
dissect -Y diameter -T json >"$out/diameter.json"
python3 - "$out/diameter.json" <<'PY'
import json, sys
# One frame may hold several Diameter messages (requests are written in batches), and tshark's
# JSON repeats keys (one "diameter.avp_tree" per AVP): objects are kept as lists of pairs.
class Obj(list):
    def get(self, key):
        return next((v for k, v in self if k == key), None)
def pdus(layers):
    return [v for k, v in layers if k == "diameter"]
def values(node, key, out):
    if isinstance(node, Obj):
        for k, v in node:
            if k == key and not isinstance(v, Obj):
                out.append(v)
            else:
                values(v, key, out)
    elif isinstance(node, list):
        for v in node:
            values(v, key, out)
    return out
kinds, bad = {}, []
for frame in json.load(open(sys.argv[1]), object_pairs_hook=Obj):
    for d in pdus(frame.get("_source").get("layers")):
        if values(d, "diameter.flags.request", []) [:1] != ["1"]:
            continue
        cmd = d.get("diameter.cmd.code")
        if cmd not in ("271", "272"):
            continue
        one = lambda k: (values(d, k, []) or [None])[0]
        if cmd == "272":
            kind = "CCR-" + {"1": "I", "2": "U", "3": "T"}.get(one("diameter.CC-Request-Type"), "?")
        else:
            kind = "ACR-" + {"2": "START", "3": "INTERIM", "4": "STOP"}.get(one("diameter.Accounting-Record-Type"), "?")
        kinds[kind] = kinds.get(kind, 0) + 1
        checks = [("Service-Context-Id", one("diameter.Service-Context-Id") == "32260@3gpp.org"),
                  ("Subscription-Id-Data", bool(one("diameter.Subscription-Id-Data"))),
                  ("IMS-Charging-Identifier", bool(one("diameter.IMS-Charging-Identifier"))),
                  ("Node-Functionality AS", one("diameter.Node-Functionality") == "6")]
        if cmd == "272":
            checks.append(("Rating-Group in the MSCC", one("diameter.Rating-Group") is not None))
            if kind in ("CCR-U", "CCR-T"):
                checks.append(("Used-Service-Unit", bool(values(d, "diameter.Used-Service-Unit", [])) or "446" in values(d, "diameter.avp.code", [])))
                checks.append(("Destination-Host (the OCS that answered the CCR-I)", one("diameter.Destination-Host") == "ocs.msrpcharge.test"))
        bad += [f"{kind}: {name}" for name, ok in checks if not ok]
print("3GPP fields checked per request kind:", ", ".join(f"{k} ×{v}" for k, v in sorted(kinds.items())))
bad += [f"no {k} in the capture" for k in ("CCR-I", "CCR-T", "ACR-START", "ACR-INTERIM", "ACR-STOP") if k not in kinds]
if bad:
    print("FAILED: missing or wrong: " + "; ".join(sorted(set(bad))[:10]))
    sys.exit(1)
PY
peer_ran
echo "Diameter tshark interop: OK ($(dissect -Y diameter | wc -l) packets, every AVP known, no expert error or warning)"

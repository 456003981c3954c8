#!/usr/bin/env bash
# msrpcharge against freeDiameterd, the independent Diameter implementation (Debian's
# freediameterd). freeDiameterd will not use a loopback address, so it runs in a network
# namespace this script makes (a veth pair: 198.51.100.1 here, 198.51.100.2 inside).
#  1. freeDiameterd as a relay agent between `bench` and `enabler` (routing by realm): both
#     complete CER/CEA with it; the bench's conservation check and `reconcile` over the
#     enabler's journal pass.
#  2. A quiet bench with Tw = 1 s: it sends DWR and freeDiameterd answers DWA (the link stays
#     up); when the bench ends it sends DPR, which freeDiameterd logs.
#  3. freeDiameterd sends DWR to `enabler` after its Tw (6 s) of silence, and DPR when it stops:
#     `enabler` answers both and counts them.
#  4. With COMPARE=1: every message charged, as fast as possible, against freeDiameterd with a
#     minimal answering extension (scripts/interop/fd_answer.c, built here) and against
#     `enabler` in the same namespace: answers per second of each, and the ratio.
# Usage: scripts/interop/freediameter.sh BIN   (root; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="freeDiameterd interop"
. scripts/lib/peer.sh
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespace, veth)"
command -v ip >/dev/null || skip "iproute2 is not installed"
if ! command -v freeDiameterd >/dev/null || [ ! -f /usr/include/freeDiameter/extension.h ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq freediameterd \
    freediameter-extensions libfreediameter-dev >/dev/null; } 2>/dev/null ||
    skip "freediameterd, freediameter-extensions and libfreediameter-dev could not be installed"
fi
out=$(mktemp -d /tmp/msrpcharge-fd.XXXXXX)
ns=msrpfd$$
host=198.51.100.1
peer=198.51.100.2
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  ip netns del "$ns" 2>/dev/null || true
  ip link del "v$ns" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
# Namespaces left by a run that was killed (its pid is gone) hold the same addresses: remove them.
for old in $(ip netns list | awk '/^msrpfd[0-9]+/ {print $1}'); do
  kill -0 "${old#msrpfd}" 2>/dev/null && skip "another run (pid ${old#msrpfd}) holds the test addresses"
  ip netns del "$old" 2>/dev/null || true
  ip link del "v$old" 2>/dev/null || true
done
ip netns add "$ns"
ip link add "v$ns" type veth peer name "w$ns"
ip link set "w$ns" netns "$ns"
ip addr add "$host/24" dev "v$ns"
ip link set "v$ns" up
ip netns exec "$ns" ip addr add "$peer/24" dev "w$ns"
ip netns exec "$ns" ip link set "w$ns" up
ip netns exec "$ns" ip link set lo up
fail() { echo "FAILED freeDiameterd interop: $*"; for f in "$out"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }
wait_for() { for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; fail "no '$2' in $1"; }

printf 'ALLOW_IPSEC bench.bench.realm\nALLOW_IPSEC enabler.enabler.realm\n' >"$out/acl.conf"
fdconf() { # identity realm port extra…
  printf 'Identity = "%s";\nRealm = "%s";\nPort = %s;\nSecPort = 0;\nNo_SCTP;\nNo_IPv6;\nListenOn = "%s";\nTwTimer = 6;\n' \
    "$1" "$2" "$3" "$peer"
  printf 'LoadExtension = "/usr/lib/freeDiameter/dict_nasreq.fdx";\nLoadExtension = "/usr/lib/freeDiameter/dict_dcca.fdx";\n'
  printf 'LoadExtension = "/usr/lib/freeDiameter/acl_wl.fdx" : "%s";\n' "$out/acl.conf"
  shift 3
  for line in "$@"; do printf '%s\n' "$line"; done
}
identity=(--origin-host bench.bench.realm --origin-realm bench.realm --host-ip-address "$host")

# The enabler, here; freeDiameterd (the relay) connects to it.
"$bin" enabler --listen "$host:3870" --origin-host enabler.enabler.realm --origin-realm enabler.realm \
  --host-ip-address "$host" --enabler-latency 0 --no-interim-interval --journal "$out/enabler.journal" \
  >"$out/enabler.log" 2>&1 &
enabler=$!
pids+=($enabler)
wait_for "$out/enabler.log" listening
fdconf relay.relay.realm relay.realm 3868 \
  "ConnectPeer = \"enabler.enabler.realm\" { ConnectTo = \"$host\"; Port = 3870; No_TLS; };" >"$out/relay.conf"
ip netns exec "$ns" freeDiameterd -c "$out/relay.conf" >"$out/relay.log" 2>&1 &
relay=$!
pids+=($relay)
wait_for "$out/relay.log" "'STATE_OPEN'.*'enabler.enabler.realm'"
echo "ok: freeDiameterd (relay) and enabler completed CER/CEA"

# 1. bench → relay → enabler.
"$bin" bench --sessions 2000 --duration 3 --rate "${RATE:-20000}" --mode both --interim-interval 0 --no-progress \
  --enabler "diameter://$peer:3868" "${identity[@]}" --destination-realm enabler.realm \
  --json "$out/bench.json" --json-sessions --fail-if conservation >"$out/bench.log" 2>&1 ||
  fail "bench through the relay"
grep -q "relay.relay.realm, a relay" "$out/bench.log" || fail "the relay's CEA did not advertise the Relay application"
grep -E "Diameter|Conservation" "$out/bench.log"

# 2. A quiet bench: Tw = 1 s, DWR answered by DWA; DPR at the end.
"$bin" bench --sessions 4 --message-interval exp:3 --duration 5 --diameter-watchdog 1 --no-progress \
  --enabler "diameter://$peer:3868" "${identity[@]}" --destination-realm enabler.realm \
  --json "$out/quiet.json" --fail-if conservation >"$out/quiet.log" 2>&1 || fail "quiet bench"
python3 - "$out/quiet.json" <<'PY' || fail "watchdog"
import json, sys
d = json.load(open(sys.argv[1]))["diameter"][0]
assert d["watchdogRequests"] >= 1, d
assert d["disconnects"] == 0 and d["connects"] == 1, d
print(f"ok: bench sent {d['watchdogRequests']} DWR to freeDiameterd, every one answered (the link stayed up)")
PY
wait_for "$out/relay.log" "Peer 'bench.bench.realm' sent a DPR"
echo "ok: freeDiameterd received the bench's DPR"

# 3. freeDiameterd's DWR to the enabler after 6 s of silence, then its DPR when it stops.
sleep 13
kill -TERM $relay
wait $relay 2>/dev/null || true
sleep 0.5
kill -INT $enabler
wait $enabler 2>/dev/null || true
grep "DWR" "$out/enabler.log"
python3 - "$out/enabler.log" <<'PY' || fail "enabler's DWR/DPR counts"
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"(\d+) DWR, (\d+) DPR", text)
assert m and int(m.group(1)) >= 1 and int(m.group(2)) >= 1, text
print(f"ok: enabler answered {m.group(1)} DWR and {m.group(2)} DPR from freeDiameterd")
PY
"$bin" reconcile "$out/bench.json" "$out/enabler.journal" || fail "reconcile"

# 4. Side by side: freeDiameterd answering (the anchor) and enabler, both in the namespace.
if [ "${COMPARE:-0}" = 1 ]; then
  gcc -shared -fPIC -O2 -o "$out/fd_answer.fdx" scripts/interop/fd_answer.c -lfdcore -lfdproto
  fdconf anchor.anchor.realm anchor.realm 3869 "LoadExtension = \"$out/fd_answer.fdx\";" >"$out/anchor.conf"
  ip netns exec "$ns" freeDiameterd -c "$out/anchor.conf" >"$out/anchor.log" 2>&1 &
  pids+=($!)
  ip netns exec "$ns" "$bin" enabler --listen "$peer:3871" --origin-host enabler.enabler.realm \
    --origin-realm enabler.realm --host-ip-address "$peer" --enabler-latency 0 --no-interim-interval \
    >"$out/enabler2.log" 2>&1 &
  pids+=($!)
  wait_for "$out/anchor.log" "initialized"
  wait_for "$out/enabler2.log" listening
  for target in "anchor 3869 anchor.realm" "enabler 3871 enabler.realm"; do
    set -- $target
    "$bin" bench --sessions 1000 --duration "${SECONDS_EACH:-5}" --interim-interval 0 --tx-timeout 30 --no-progress \
      --enabler "diameter://$peer:$2" "${identity[@]}" --destination-realm "$3" --json "$out/$1.json" \
      >"$out/$1-bench.log" 2>&1 || fail "bench against $1"
  done
  python3 - "$out" <<'PY'
import json, sys
r = {}
for name in ("anchor", "enabler"):
    j = json.load(open(f"{sys.argv[1]}/{name}.json"))
    d = j["diameter"][0]
    answers = sum(d["answersByResultCode"].values())
    r[name] = j["charging"]["interimsPerSecond"]
    print(f"{name:8s}: {r[name]/1e3:.1f} k CH-1 interims/s answered, wire round trip p50 {d['roundTrip']['p50']:.0f} µs "
          f"p99 {d['roundTrip']['p99']:.0f} µs, {answers} answers, conservation {'OK' if j['conservation']['ok'] else 'FAILED'}, "
          f"bench workers' CPU {j['throughput']['perWorkerCPUShare']}")
print(f"enabler / freeDiameterd (fd_answer): {r['enabler']/r['anchor']:.1f}x")
PY
fi
peer_ran
echo "freeDiameterd interop: OK"

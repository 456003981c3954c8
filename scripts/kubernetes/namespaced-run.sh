#!/usr/bin/env bash
# The Kubernetes manifests run without a cluster: each pod of the Indexed Job
# deploy/kubernetes/load-job.yaml is a process in its own network namespace (a host of its own
# on a bridge, made here with ip netns and veth pairs), started with the manifest's own
# command line and the environment Kubernetes would give it (its env values, POD_IP,
# JOB_COMPLETION_INDEX, the Service name resolving to the serve host, the reports volume
# mounted at /reports); the serve Deployment's command line runs in a namespace of its own;
# then the merge Job's command line merges the partitions' reports. The merged report must
# show every session of the run set up and every message delivered, serve's conservation
# check must pass, and serve must have set up and ended exactly the run's sessions.
# Usage: scripts/kubernetes/namespaced-run.sh BIN   (SESSIONS, DURATION override the manifest's
# env values, as a user edits them; prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="namespaced Kubernetes run"
. scripts/lib/peer.sh
[ "$(id -u)" -eq 0 ] || skip "needs root (ip netns)"
command -v ip >/dev/null || skip "iproute2 is not installed"
python3 -c "import yaml" 2>/dev/null || pip install -q pyyaml >/dev/null 2>&1 || skip "PyYAML cannot be installed"
python3 scripts/kubernetes/manifest.py check deploy/kubernetes

tag=$(printf '%04x' $((RANDOM % 65536)))
out=$(mktemp -d "/tmp/msrpcharge-k8s.XXXXXX")
net=198.51.100
bridge=mcb$tag
made_reports=""
namespaces=()
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; rm -rf "/etc/netns/$n"; done
  ip link del "$bridge" 2>/dev/null || true
  [ -z "$made_reports" ] || rmdir /reports 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT

# The hosts: a bridge, and per host a namespace joined to it by a veth pair.
ip link add "$bridge" type bridge 2>/dev/null || skip "cannot make a bridge (no CAP_NET_ADMIN here)"
ip link set "$bridge" up
host() {  # host NAME ADDRESS INDEX
  local ns=mc$tag-$1 v=mcv$tag$3
  ip netns add "$ns"
  namespaces+=("$ns")
  ip link add "$v" type veth peer name "${v}p"
  ip link set "${v}p" master "$bridge" up
  ip link set "$v" netns "$ns"
  ip -n "$ns" addr add "$2/24" dev "$v"
  ip -n "$ns" link set "$v" up
  ip -n "$ns" link set lo up
  # The cluster's DNS: the Service name resolves to the serve host (ip netns exec mounts
  # /etc/netns/NS/hosts over /etc/hosts).
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n%s.2 msrpcharge-serve\n' "$net" >"/etc/netns/$ns/hosts"
}
[ -d /reports ] || { mkdir /reports; made_reports=1; }
mkdir -p "$out/reports" "$out/bin"
ln -s "$bin" "$out/bin/msrpcharge"

# pod NS LOG JSON INDEX IP: runs a container's command line as Kubernetes would.
pod() {
  local ns=$1 log=$2 spec=$3 index=$4 ip=$5
  local -a env=(PATH="$out/bin:/usr/local/bin:/usr/bin:/bin" HOME=/root HOSTNAME="$ns")
  while IFS= read -r kv; do env+=("$kv"); done < <(python3 -c '
import json, os, sys
spec = json.loads(sys.argv[1])
overrides = {k: os.environ[k] for k in ("SESSIONS", "DURATION", "METRICS_HOLD") if k in os.environ}
for k, v in spec["env"].items(): print(f"{k}={overrides.get(k, v)}")
for k, field in spec["env_from_fields"].items():
    assert field == "status.podIP", field
    print(f"{k}={sys.argv[2]}")
' "$spec" "$ip")
  [ -z "$index" ] || env+=(JOB_COMPLETION_INDEX="$index")
  local -a cmd
  mapfile -t cmd < <(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("\n".join(s["command"] + s["args"]))' "$spec")
  ip netns exec "$ns" sh -c 'mount --bind "$1" /reports && shift && exec env -i "$@"' mount "$out/reports" \
    "${env[@]}" "${cmd[@]}" >"$log" 2>&1 &
  pids+=($!)
}

load=$(python3 scripts/kubernetes/manifest.py container deploy/kubernetes Job msrpcharge-load)
serve=$(python3 scripts/kubernetes/manifest.py container deploy/kubernetes Deployment msrpcharge-serve)
merge=$(python3 scripts/kubernetes/manifest.py container deploy/kubernetes Job msrpcharge-merge)
n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["completions"])' "$load")
export SESSIONS=${SESSIONS:-300} DURATION=${DURATION:-3} METRICS_HOLD=0

host serve $net.2 0
for i in $(seq 0 $((n - 1))); do host g$i $net.$((10 + i)) $((i + 1)); done
pod mc$tag-serve "$out/serve.log" "$serve" "" $net.2
servepid=${pids[-1]}
for _ in $(seq 100); do grep -q "msrpcharge serve: SIP on" "$out/serve.log" && break; sleep 0.1; done
grep -q "msrpcharge serve: SIP on" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: serve did not start"; exit 1; }
ip netns exec mc$tag-g0 timeout 3 bash -c "exec 3<>/dev/tcp/$net.2/5060" || { echo "FAILED: generator host 0 cannot reach serve on $net.2:5060"; exit 1; }

gens=()
for i in $(seq 0 $((n - 1))); do
  pod mc$tag-g$i "$out/load$i.log" "$load" "$i" $net.$((10 + i))
  gens+=(${pids[-1]})
done
for i in "${!gens[@]}"; do
  wait "${gens[$i]}" || { cat "$out/load$i.log"; echo "FAILED: generator $i (partition $i/$n) exited with $?"; exit 1; }
done
echo "ok: $n generator hosts ($net.10-$((9 + n))) ran the Indexed Job's command line against serve on $net.2"
for i in $(seq 0 $((n - 1))); do grep -E "^msrpcharge load|^delivery" "$out/load$i.log" | sed "s/^/  host $i: /"; done

# Both sides' CPU (they share this machine's cores): serve's from /proc, the generators' from
# their reports.
ticks=$(awk '{print $14 + $15}' "/proc/$servepid/stat")
echo "ok: serve used $(echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc) CPU seconds; the generators' are in the merged report"
kill -INT "$servepid"
wait "$servepid" || { cat "$out/serve.log"; echo "FAILED: serve exited with $?"; exit 1; }

# The merge Job's command line, with the same volume.
env_merge=$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("\n".join(s["command"] + s["args"]))' "$merge")
mapfile -t mcmd <<<"$env_merge"
unshare -m sh -c 'mount --bind "$1" /reports && shift && exec env -i PATH="$0" "$@"' "$out/bin:/usr/bin:/bin" \
  "$out/reports" "${mcmd[@]}" >"$out/merge.log" 2>&1 || { cat "$out/merge.log"; echo "FAILED: the merge Job's command"; exit 1; }
cat "$out/merge.log"
python3 - "$out/reports/merged.json" "$SESSIONS" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); total = int(sys.argv[2])
assert m["sessions"] == total and m["sessionsSetUp"] == total, (m["sessions"], m["sessionsSetUp"])
assert m["delivery"]["ok"], m["delivery"]["detail"]
assert m.get("partition") is None
print(f"ok: merged: {m['sessionsSetUp']} of {total} sessions, {m['chunksSent']} chunks, delivery OK")
PY
[ -s "$out/reports/merged.html" ] || { echo "FAILED: no merged page"; exit 1; }
grep -E "^sessions:|^conservation" "$out/serve.log" | sed 's/^/  serve: /'
grep -q "sessions: $SESSIONS set up, 0 refused, $SESSIONS ended" "$out/serve.log" \
  || { cat "$out/serve.log"; echo "FAILED: serve did not set up and end $SESSIONS sessions"; exit 1; }
grep -q "^conservation: ok" "$out/serve.log" || { echo "FAILED: serve's conservation check"; exit 1; }
peer_ran
echo "namespaced Kubernetes run: OK"

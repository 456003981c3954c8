#!/usr/bin/env bash
# Prometheus (Debian `prometheus`) scraping two generators: `msrpcharge bench --partition 0/2`
# and `1/2`, each with --metrics, scraped every second. Once both have written their reports,
# Prometheus's HTTP query API must sum to exactly the chunks and charging requests the two
# reports hold (and give each partition its own series).
# Usage: scripts/interop/prometheus.sh BIN   (prints SKIPPED and exits 0 when it cannot run; with CI=true it fails instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
PEER="Prometheus interop"
. scripts/lib/peer.sh
if ! command -v prometheus >/dev/null; then
  { apt-get install -y prometheus || { apt-get update && apt-get install -y prometheus; }; } >/dev/null 2>&1 \
    || skip "prometheus cannot be installed"
fi
command -v prometheus >/dev/null || skip "prometheus is not on PATH after installing"
command -v curl >/dev/null || skip "curl is not installed"
. scripts/interop/serve-common.sh
. scripts/lib/ports.sh
base=$(port_base 3)
prom=$base g0=$((base + 1)) g1=$((base + 2))

cat >"$out/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: msrpcharge
    static_configs:
      - targets: ['127.0.0.1:$g0', '127.0.0.1:$g1']
YML
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
  --web.listen-address=127.0.0.1:$prom >"$out/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$prom/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$prom/-/ready" >/dev/null || { tail -5 "$out/prometheus.log"; echo "FAILED: prometheus did not start"; exit 1; }

for i in 0 1; do
  port=$([ $i = 0 ] && echo $g0 || echo $g1)
  "$bin" bench --no-progress --sessions 2000 --duration 3 --workers 1 --mode both --interim-interval 0 \
    --partition $i/2 --metrics 127.0.0.1:$port --metrics-hold 20 --json "$out/p$i.json" >"$out/bench$i.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 300); do [ -s "$out/p0.json" ] && [ -s "$out/p1.json" ] && break; sleep 0.1; done
[ -s "$out/p0.json" ] && [ -s "$out/p1.json" ] || { cat "$out"/bench*.log; echo "FAILED: the generators wrote no reports"; exit 1; }
sleep 3  # two scrapes after the final figures

query() { curl -sf --get "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1"; }
python3 - "$out" "$(query 'sum(msrpcharge_chunks_total)')" "$(query 'sum by (partition) (msrpcharge_chunks_total)')" \
  "$(query 'sum(msrpcharge_charging_requests_total)')" "$(query 'sum(up{job="msrpcharge"})')" <<'PY'
import json, sys
out, total, by_partition, requests, up = sys.argv[1], *map(json.loads, sys.argv[2:])
reports = [json.load(open(f"{out}/p{i}.json")) for i in (0, 1)]
def value(r): return int(float(r["data"]["result"][0]["value"][1]))
want_chunks = sum(r["throughput"]["chunks"] for r in reports)
want_requests = sum(sum(r["charging"]["requests"].values()) for r in reports)
got = {x["metric"]["partition"]: int(float(x["value"][1])) for x in by_partition["data"]["result"]}
print(f"ok: Prometheus scraped {value(up)} generators up; sum(msrpcharge_chunks_total) = {value(total)}, reports {want_chunks}")
print(f"ok: by partition {got}; charging requests {value(requests)}, reports {want_requests}")
assert value(up) == 2, "both targets up"
assert value(total) == want_chunks, f"chunks: Prometheus {value(total)}, reports {want_chunks}"
assert got == {"0/2": reports[0]["throughput"]["chunks"], "1/2": reports[1]["throughput"]["chunks"]}, got
assert value(requests) == want_requests, f"requests: Prometheus {value(requests)}, reports {want_requests}"
PY
peer_ran
echo "Prometheus interop: OK"

#!/usr/bin/env bash
# serve's wire figures: chunks relayed per second (answered 200, forwarded, charged) and latency,
# with msrp_blast.c playing both ends of every session, on this machine. Server and client share
# the cores: each row gives both processes' CPU seconds over the run (and Kamailio's).
# Rows: charging off; offline charging at the default 10 s interval; every message charged
# (interval 0, a CH-1 interim per message); the same with two workers; paced at RATE; and the
# same traffic through Kamailio's msrp relay in front (the anchor: a third MSRP implementation).
# Usage: scripts/perf/serve-wire.sh BIN   (SECONDS_RUN, SESSIONS, WINDOW, SIZE, RATE)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${SECONDS_RUN:-5}
sessions=${SESSIONS:-20}
window=${WINDOW:-64}
size=${SIZE:-100}
rate=${RATE:-200000}
out=$(mktemp -d /tmp/msrpcharge-wire.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$out"; }
trap cleanup EXIT
gcc -O2 -o "$out/msrp_blast" scripts/perf/msrp_blast.c
ticks=$(getconf CLK_TCK)
cpu() { # CPU seconds of the processes named by pid
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done
  echo "scale=2; $t / $ticks" | bc
}
. scripts/lib/ports.sh
port=$(port_base 112)
row() { # name, relay (0 or 1), blast rate (0 for a window), serve options…
  local name=$1 relay=$2 r=$3
  shift 3
  port=$((port + 20))
  "$bin" serve --sip 127.0.0.1:$port --msrp 127.0.0.1:$((port + 1)) --enabler-latency 0 "$@" >"$out/serve.log" 2>&1 &
  local serve=$!
  pids+=($serve)
  for _ in $(seq 100); do grep -q "SIP on" "$out/serve.log" && break; sleep 0.1; done
  local kam=() env=()
  if [ "$relay" = 1 ]; then
    sed "s/KAMPORT/$((port + 10))/; s/CHILDREN/2/g" scripts/interop/kamailio/msrp-relay.cfg >"$out/k.cfg"
    kamailio -DD -E -f "$out/k.cfg" >"$out/k.log" 2>&1 &
    pids+=($!)
    sleep 1.5
    kam=($(pgrep -f "$out/k.cfg"))
    env=(MSRP_RELAY=$((port + 10)))
  fi
  local s0 k0
  s0=$(cpu $serve)
  k0=$([ ${#kam[@]} -gt 0 ] && cpu "${kam[@]}" || echo 0)
  local args=($port $sessions $window $seconds $size)
  [ "$r" = 0 ] || args+=($r)
  env "${env[@]}" "$out/msrp_blast" "${args[@]}" >"$out/blast.log"
  local s1 k1
  s1=$(cpu $serve)
  k1=$([ ${#kam[@]} -gt 0 ] && cpu "${kam[@]}" || echo 0)
  kill -INT $serve
  wait $serve
  [ ${#kam[@]} -eq 0 ] || kill "${kam[@]}" 2>/dev/null || true
  grep -q "^conservation: ok" "$out/serve.log" || { cat "$out/serve.log"; echo "FAILED: conservation in $name"; exit 1; }
  local b
  b=$(cat "$out/blast.log")
  local rps p50 p99 p999 client
  rps=$(sed -n 's/.*s: \([0-9]*\) chunks\/s answered.*/\1/p' <<<"$b")
  p50=$(sed -n 's/.*p50 \([0-9]*\) us.*/\1/p' <<<"$b")
  p99=$(sed -n 's/.*p99 \([0-9]*\) us.*/\1/p' <<<"$b")
  p999=$(sed -n 's/.*p99.9 \([0-9]*\) us.*/\1/p' <<<"$b")
  client=$(sed -n 's/.*client CPU \([0-9.]*\) s.*/\1/p' <<<"$b")
  local interims
  interims=$(sed -n 's/.*CH-1 interim \([0-9]*\),.*/\1/p' "$out/serve.log")
  printf "| %-44s | %9s | %7s | %7s | %8s | %6s | %6s | %6s | %9s |\n" "$name" "$rps" "$p50" "$p99" "$p999" \
    "$(echo "$s1 - $s0" | bc)" "$client" "$(echo "$k1 - $k0" | bc)" "$interims"
}
echo "serve on the wire: $sessions sessions, one-chunk messages of $size B, ${seconds} s a row, window $window per connection (rate rows: open loop, latency from when each chunk was due); $(nproc) cores shared by server, client and relay"
echo "| row | chunks/s | p50 µs | p99 µs | p99.9 µs | serve CPU s | client CPU s | Kamailio CPU s | CH-1 interims |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
row "charging off, 1 worker" 0 0 --workers 1 --mode off
row "offline, 10 s interval, 1 worker" 0 0 --workers 1 --mode offline
row "offline, every message (interval 0), 1 worker" 0 0 --workers 1 --mode offline --interim-interval 0
row "offline, every message, 2 workers" 0 0 --workers 2 --mode offline --interim-interval 0
row "offline, every message, 1 worker, paced $rate/s" 0 "$rate" --workers 1 --mode offline --interim-interval 0
command -v kamailio >/dev/null && row "the same through Kamailio's msrp relay" 1 0 --workers 1 --mode offline --interim-interval 0

#!/usr/bin/env bash
# `serve` out of file descriptors. Under `prlimit --nofile=200:200` (soft and hard, so serve
# cannot raise it) 400 connections to its MSRP port are more than it may accept. It must warn
# at start that --expected-sessions will not fit, log the failed accepts, and back off rather
# than retry accept in a busy loop (NIO's classic ServerBootstrap has no back-off: a listener
# with connections waiting stays readable). Then, the connections gone, it sets up sessions
# again and shuts down with conservation OK.
# Usage: scripts/serve-open-files.sh BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
for tool in prlimit python3; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIPPED: $tool is not installed (util-linux, python3)"; exit 0; }
done
. scripts/lib/ports.sh
port=$(port_base 2)
out=$(mktemp -d /tmp/msrpcharge-open-files.XXXXXX)
serve=""
cleanup() { [ -z "$serve" ] || kill -9 "$serve" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
fail() { cat "$out/serve.log"; echo "FAILED: $*"; exit 1; }
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$serve/stat"; }

prlimit --nofile=200:200 "$bin" serve --sip 127.0.0.1:$port --msrp 127.0.0.1:$((port + 1)) --workers 1 \
  --expected-sessions 1000 --enabler-latency 0 >"$out/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q "SIP on" "$out/serve.log" && break; sleep 0.1; done
grep -q "SIP on" "$out/serve.log" || fail "serve did not start"
grep -q "may open 200 files" "$out/serve.log" || fail "no warning that --expected-sessions 1000 will not fit"
echo "ok: serve warned: $(grep 'may open 200 files' "$out/serve.log")"

# 400 connections held for 3 s: the kernel completes them (backlog 4096), serve cannot accept
# them all.
before=$(cpu)
python3 - "$((port + 1))" <<'PY'
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(400)]
time.sleep(3)
PY
held=$(awk -v a="$(cpu)" -v b="$before" 'BEGIN { printf "%.2f", a - b }')
grep -q "cannot accept MSRP connections" "$out/serve.log" || fail "no failed accept logged"
echo "ok: failed accepts logged: $(grep -m1 'cannot accept MSRP connections' "$out/serve.log")"
awk -v c="$held" 'BEGIN { exit !(c < 1.0) }' || fail "serve used $held CPU s in the 3 s out of descriptors (a busy loop)"
echo "ok: serve used $held CPU s in the 3 s it was out of descriptors"

# The connections are gone: after its back-off serve accepts again.
sleep 1.5
"$bin" load --target sip:127.0.0.1:$port --workers 1 --sessions 20 --duration 1 --fail-if delivery \
  >"$out/load.log" 2>&1 || { cat "$out/load.log"; fail "load failed after the descriptors came back"; }
kill -INT $serve
wait $serve || fail "serve exited with $?"
serve=""
grep -q "^conservation: ok" "$out/serve.log" || fail "conservation"
echo "OK: serve backed off while out of descriptors and served 20 sessions after"

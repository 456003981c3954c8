# Sourced by the interop scripts that run `msrpcharge serve` beside third-party peers.

# Descriptors a parent left open (a test's output pipe) are closed, so that the peers started
# in the background cannot hold them after the script ends.
for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true; done

# A scratch folder (kept with KEEP=1) and the processes to stop at exit: TERM, then KILL, and
# any process left whose command line names the folder.
out=$(mktemp -d "/tmp/msrpcharge-$(basename "$0" .sh).XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # A peer's own children (Kamailio forks its workers) outlive its main process: every process
  # whose command line names this run's folder goes too.
  pkill -f "$out/" 2>/dev/null || true
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pkill -9 -f "$out/" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT

# start_serve BIN LOG OPTIONS…: runs serve in the background ($serve is its pid) and waits for
# its ready line.
start_serve() {
  local bin=$1 log=$2
  shift 2
  "$bin" serve "$@" >"$log" 2>&1 &
  serve=$!
  pids+=($serve)
  for _ in $(seq 100); do grep -q "msrpcharge serve: SIP on" "$log" && return; sleep 0.1; done
  cat "$log"
  echo "FAILED: serve did not start"
  exit 1
}

# stop_serve LOG: SIGINT, and serve must exit 0 (graceful shutdown, conservation printed).
stop_serve() {
  kill -INT $serve
  wait $serve || { cat "$1"; echo "FAILED: serve exited with $?"; exit 1; }
}

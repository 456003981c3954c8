# Sourced by every check that needs a third-party peer (tshark, SIPp, Kamailio, freeDiameterd,
# Chromium, Prometheus, …) after setting PEER to the check's name:
#   PEER="SIPp interop"; . scripts/lib/peer.sh
# `skip REASON` ends the check when its peer cannot run: with CI=true (or
# MSRPCHARGE_REQUIRE_PEERS=1) that is a failure, exit 1, with the reason; elsewhere it prints
# SKIPPED and exits 0. `peer_ran` records, at the end of a check, that its peer ran.
# Both append a line to $MSRPCHARGE_PEERS_LOG (default .build/peers.log), which
# scripts/test.sh sums up at the end ("peers: N of M ran").
peers_log=${MSRPCHARGE_PEERS_LOG:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/peers.log}
peers_required() { [ "${CI:-}" = true ] || [ "${MSRPCHARGE_REQUIRE_PEERS:-}" = 1 ]; }
skip() {
  mkdir -p "$(dirname "$peers_log")"
  if peers_required; then
    echo "missing $PEER: $*" >>"$peers_log"
    echo "FAILED $PEER: its peer is required here (CI=true or MSRPCHARGE_REQUIRE_PEERS=1) and cannot run: $*"
    exit 1
  fi
  echo "skipped $PEER: $*" >>"$peers_log"
  echo "SKIPPED $PEER: $*"
  exit 0
}
peer_ran() {
  mkdir -p "$(dirname "$peers_log")"
  echo "ran $PEER" >>"$peers_log"
}

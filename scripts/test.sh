#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (one debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
# Every check with a third-party judge writes a line here (scripts/lib/peer.sh, Peers in
# Tests/InteropScriptSupport); the summary at the end says which ran. With CI=true a peer that
# cannot run fails its test.
export MSRPCHARGE_PEERS_LOG="$PWD/.build/peers.log"
mkdir -p .build
: >"$MSRPCHARGE_PEERS_LOG"
peers_summary() {
  local ran total
  ran=$(grep -c '^ran ' "$MSRPCHARGE_PEERS_LOG" || true)
  total=$(wc -l <"$MSRPCHARGE_PEERS_LOG")
  echo "peers: $ran of $total ran$([ "${CI:-}" = true ] && echo " (CI=true: a missing peer fails its test)")"
  grep -v '^ran ' "$MSRPCHARGE_PEERS_LOG" | sed 's/^/  /' || true
}
trap peers_summary EXIT
# shellcheck source=lib/no-warnings.sh
. scripts/lib/no-warnings.sh
build_without_warnings swift build --build-tests
# The suites that put load on the wire (Diameter, the IM server, freeDiameterd, SIPp, tshark)
# or start a browser (Chromium)
# run after the others, not beside them: they keep both cores busy, and the plan and sampling
# tests measure CPU time. They run one at a time (each loads both cores by itself).
wire='DiameterNIOTests|ReconcileTests|IMServerTests|LoadGeneratorTests|LoadCommandTests|ReportInBrowserTests|PastOneMachineTests'
swift test --skip-build --skip "$wire"
swift test --skip-build --no-parallel --filter "$wire"

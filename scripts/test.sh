#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (one debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
swift build --build-tests
# The suites that put load on the wire (Diameter, the IM server, freeDiameterd, SIPp, tshark)
# or start a browser (Chromium)
# run after the others, not beside them: they keep both cores busy, and the plan and sampling
# tests measure CPU time. They run one at a time (each loads both cores by itself).
wire='DiameterNIOTests|ReconcileTests|IMServerTests|LoadGeneratorTests|LoadCommandTests|ReportInBrowserTests|PastOneMachineTests'
swift test --skip-build --skip "$wire"
swift test --skip-build --no-parallel --filter "$wire"

#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (one debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build

#!/usr/bin/env bash
# Installs what msrpcharge needs on a Debian machine with Swift: libjemalloc-dev (the engine's
# allocator, needed to link) and tshark (the interop test's independent MSRP dissector; optional,
# the test is skipped with its reason when it is missing).
set -euo pipefail
need=()
dpkg -s libjemalloc-dev >/dev/null 2>&1 || need+=(libjemalloc-dev)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null || {
    # jemalloc is required; tshark is not.
    dpkg -s libjemalloc-dev >/dev/null 2>&1 || { echo "bootstrap: libjemalloc-dev could not be installed" >&2; exit 1; }
    echo "bootstrap: tshark could not be installed; its interop test will be skipped" >&2
  }
fi

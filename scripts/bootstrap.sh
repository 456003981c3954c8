#!/usr/bin/env bash
# Installs what msrpcharge needs on a Debian machine with Swift: libjemalloc-dev (the engine's
# allocator, needed to link), and for the interop tests (optional: each is skipped with its
# reason when its peer is missing; with CI=true they are required and a missing one fails) tshark (the independent MSRP and Diameter dissector),
# freeDiameterd with its extensions and headers (the independent Diameter peer), iproute2 (the
# network namespace freeDiameterd runs in), python3's pip (python-diameter's messages), SIPp
# (sip-tester, the independent SIP peer), Kamailio (its msrp module, an independent MSRP relay), gcc (the interop scripts' small C helpers)
# Chromium (the report page rendered in a real browser, headless) and Prometheus (scraping
# generators).
set -euo pipefail
# zlib's headers (HdrHistogram's compressed encoding) are required, like jemalloc.
need=()
dpkg -s libjemalloc-dev >/dev/null 2>&1 || need+=(libjemalloc-dev)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v freeDiameterd >/dev/null 2>&1 || need+=(freediameterd freediameter-extensions)
[ -f /usr/include/freeDiameter/extension.h ] || need+=(libfreediameter-dev)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v bc >/dev/null 2>&1 || need+=(bc)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null || {
    # jemalloc is required; the interop peers are not.
    dpkg -s libjemalloc-dev >/dev/null 2>&1 || { echo "bootstrap: libjemalloc-dev could not be installed" >&2; exit 1; }
    [ -f /usr/include/zlib.h ] || { echo "bootstrap: zlib1g-dev could not be installed" >&2; exit 1; }
    if [ "${CI:-}" = true ]; then
      echo "bootstrap: some of ${need[*]} could not be installed, and with CI=true every peer is required" >&2
      exit 1
    fi
    echo "bootstrap: some of ${need[*]} could not be installed; their interop tests will be skipped" >&2
  }
fi

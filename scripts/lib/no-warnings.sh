# Runs a build command, its output shown as usual, and fails if the compiler warned about a
# file of this package (Sources/, Tests/, Benchmarks/, Fuzz/; not a dependency's checkout):
# the builds are kept free of warnings, so a new one is an error in CI. An incremental build
# only shows the warnings of what it recompiled; a clean clone (CI) compiles everything.
# Usage: source it, then `build_without_warnings swift build --build-tests`.
build_without_warnings() {
  local log root
  root=$(pwd -P)
  log=$(mktemp)
  set +e
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    rm -f "$log"
    return "$status"
  fi
  local own
  own=$(grep -E "^$root/(Sources|Tests|Benchmarks|Fuzz)/[^ ]*:[0-9]+:[0-9]+: warning:" "$log" | sort -u || true)
  rm -f "$log"
  if [ -n "$own" ]; then
    echo "FAILED: the build warned ($*); the package builds without warnings:" >&2
    echo "$own" >&2
    return 1
  fi
}

#!/usr/bin/env bash
# The main job with embedded defaults: for now, decode the bundled RFC 4975 sample stream.
# Extra arguments go to `msrpcharge inspect` (e.g. --json, or a file of your own).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
swift build -c release --product msrpcharge >&2
file_given=false
for a in "$@"; do case "$a" in -) file_given=true ;; -*) ;; *) file_given=true ;; esac; done
$file_given || set -- "$@" Samples/rfc4975-examples.msrp
exec .build/release/msrpcharge inspect "$@"

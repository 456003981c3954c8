#!/usr/bin/env bash
# Fuzzes a decoder with libFuzzer (and AddressSanitizer).
# Usage: scripts/fuzz.sh [RUNS] [msrp|diameter|sip]   (default 1000000 inputs, the MSRP parser)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
target="${2:-msrp}"
out=.build-fuzz
mkdir -p "$out/modules"
case "$target" in
msrp)
  corpus=Fuzz/corpus
  mkdir -p "$corpus"
  cp Samples/*.msrp "$corpus"/ 2>/dev/null || true
  # The MSRP sources import two one-header C targets; SwiftPM makes their module maps, swiftc
  # alone needs them written out.
  for t in CPrefetch CByteScan; do
    printf 'module %s {\n  header "%s"\n  export *\n}\n' "$t" "$PWD/Sources/$t/include/$t.h"
  done > "$out/modules/module.modulemap"
  sources=(Sources/MSRP/*.swift Fuzz/MSRPParserFuzz.swift)
  module=MSRPFuzz
  max_len=4096
  ;;
diameter)
  corpus=Fuzz/corpus-diameter
  mkdir -p "$corpus"
  # Seeds: the independent encoder's messages (Tests/DiameterTests/Fixtures).
  python3 -c '
import json, sys
for m in json.load(open("Tests/DiameterTests/Fixtures/python-diameter.json")):
    open(sys.argv[1] + "/" + m["name"], "wb").write(bytes.fromhex(m["hex"]))
' "$corpus"
  sources=(Sources/Diameter/*.swift Fuzz/DiameterDecoderFuzz.swift)
  module=DiameterFuzz
  max_len=2048
  ;;
sip)
  corpus=Fuzz/corpus-sip
  mkdir -p "$corpus"
  # Seeds: the SIP messages of the tests (an INVITE with SDP, compact forms, folding).
  cp Samples/*.sip "$corpus"/ 2>/dev/null || true
  sources=(Sources/SIP/*.swift Fuzz/SIPParserFuzz.swift)
  module=SIPFuzz
  max_len=4096
  ;;
*)
  echo "scripts/fuzz.sh: unknown target '$target' (msrp, diameter or sip)" >&2
  exit 2
  ;;
esac
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "$module" -I "$out/modules" \
  "${sources[@]}" -o "$out/$target-fuzz"
"$out/$target-fuzz" -runs="$runs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus"

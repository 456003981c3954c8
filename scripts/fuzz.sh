#!/usr/bin/env bash
# Fuzzes the MSRP parser with libFuzzer (and AddressSanitizer).
# Usage: scripts/fuzz.sh [RUNS]   (default 1000000 inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
out=.build-fuzz
mkdir -p "$out" Fuzz/corpus
cp Samples/*.msrp Fuzz/corpus/ 2>/dev/null || true
# The MSRP sources import two one-header C targets; SwiftPM makes their module maps, swiftc
# alone needs them written out.
mkdir -p "$out/modules"
for target in CPrefetch CByteScan; do
  printf 'module %s {\n  header "%s"\n  export *\n}\n' "$target" "$PWD/Sources/$target/include/$target.h"
done > "$out/modules/module.modulemap"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name MSRPFuzz -I "$out/modules" \
  Sources/MSRP/*.swift Fuzz/MSRPParserFuzz.swift -o "$out/msrp-parser-fuzz"
"$out/msrp-parser-fuzz" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 Fuzz/corpus

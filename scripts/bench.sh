#!/usr/bin/env bash
# Runs the benchmarks (release build), then checks the parser's and the engine's against the
# stored thresholds. Only mallocCountTotal is gated: per iteration of 1000 chunks for the
# parser (the 16 are the harness's own; the memchr scan that allocates nothing shows the same),
# per iteration of 100 000 chunks for the engine (2: its per-run bookkeeping), and for the
# Diameter codec's encode and decode of 1000 ACRs or CCRs the harness's 16 again (a copy of
# the bytes, which allocates nothing, shows the same). The SIP codec's parse of a set-up's
# messages is gated at what it allocates per message (the strings a SIPMessage owns: 11 to 13,
# was 52 to 55 when every line, name and value was a String of its own) plus the harness's
# 16. WireFloorBenchmarks (connections and datagrams on loopback, bare system calls and
# through SwiftNIO: the floor under load → serve's set-up rate) are timed, not gated. Times
# are printed as information: this machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift package --allow-writing-to-package-directory benchmark --no-progress "$@"
for target in MSRPParserBenchmarks LoadEngineBenchmarks DiameterCodecBenchmarks SIPCodecBenchmarks; do
  swift package --allow-writing-to-package-directory benchmark thresholds check --target "$target" --path Thresholds/6.3 --no-progress
done

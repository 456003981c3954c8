#!/usr/bin/env bash
# Runs the parser benchmarks (release build), then checks them against the stored thresholds.
# Only mallocCountTotal is gated (per iteration of 1000 chunks; the 16 are the harness's own,
# the memchr scan that allocates nothing shows the same). Times are printed as information:
# this machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift package --allow-writing-to-package-directory benchmark --no-progress "$@"
swift package --allow-writing-to-package-directory benchmark thresholds check --target MSRPParserBenchmarks --path Thresholds/6.3 --no-progress

#!/usr/bin/env bash
# Runs every README recipe marked `<!-- recipe ci -->`, as written, in a scratch folder with
# BIN as `msrpcharge` on the PATH: each must exit 0. What a newcomer copies from the README
# must work on a fresh clone.
# Usage: scripts/readme-recipes.sh BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
out=$(mktemp -d /tmp/msrpcharge-recipes.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$out"' EXIT
mkdir "$out/bin"
ln -s "$bin" "$out/bin/msrpcharge"
python3 - README.md "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"<!-- recipe ci -->\s*```sh\n(.*?)```", text, re.S)
assert blocks, "no recipes marked <!-- recipe ci --> in the README"
for i, b in enumerate(blocks):
    open(f"{sys.argv[2]}/recipe{i}.sh", "w").write(b)
print(f"{len(blocks)} recipes")
PY
n=0
for f in "$out"/recipe*.sh; do
  name=$(head -1 "$f" | cut -c1-100)
  start=$(date +%s.%N)
  if ! (cd "$out" && PATH="$out/bin:$PATH" timeout 300 bash -e "$f" >"$f.log" 2>&1); then
    tail -30 "$f.log"
    echo "FAILED: the README recipe starting '$name'"
    exit 1
  fi
  echo "ok: $(printf '%5.1f' "$(echo "$(date +%s.%N) - $start" | bc)") s  $name"
  n=$((n + 1))
done
echo "README recipes: $n run, OK"

#!/usr/bin/env bash
# Cost of each input format relative to plain text on the same content.
#
#   benches/formats/run.sh [SIZE]      (default 200M; needs python3, gzip, zstd optional)
#
# Generates SIZE of synthetic dirty text (benches/corpus/generate.py), makes
# a JSON Lines copy (to_jsonl.py: ~4 KB records), gzip and zstd copies, then
# times `decruft --no-corpus` on each (best of 3) and prints the time
# relative to plain text.
set -euo pipefail
size=${1:-200M}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${TMPDIR:-/tmp}/decruft-formats
mkdir -p "$work"
cd "$root"
cargo build --release -q
bin=$root/target/release/decruft
[ -s "$work/x.txt" ] || python3 benches/corpus/generate.py --size "$size" --single "$work/x.txt" >/dev/null
[ -s "$work/x.jsonl" ] || python3 benches/formats/to_jsonl.py "$work/x.txt" "$work/x.jsonl"
[ -s "$work/x.txt.gz" ] || gzip -kf "$work/x.txt"
[ -s "$work/x.jsonl.gz" ] || gzip -kf "$work/x.jsonl"
if command -v zstd >/dev/null; then
  [ -s "$work/x.txt.zst" ] || zstd -qkf "$work/x.txt"
fi
best() {
  local b=
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$bin" --no-corpus "$@" >/dev/null
    e=$(date +%s.%N)
    b=$(python3 -c "print(min(float('${b:-1e9}'), $e - $s))")
  done
  echo "$b"
}
plain=$(best "$work/x.txt")
printf '%-22s %8s %8s\n' input seconds ratio
printf '%-22s %8.2f %8.2f\n' "plain x.txt" "$plain" 1
for f in x.txt.gz x.txt.zst x.jsonl x.jsonl.gz; do
  [ -s "$work/$f" ] || continue
  t=$(best "$work/$f")
  printf '%-22s %8.2f %8.2f\n' "$f" "$t" "$(python3 -c "print($t / $plain)")"
done
# Plain text cut into the same documents by a separator line.
[ -s "$work/x.ff.txt" ] || python3 -c "
import json,sys
with open('$work/x.jsonl') as f, open('$work/x.ff.txt','w') as o:
    for l in f: o.write(json.loads(l)['text'] + '\f\n')"
t=$(best "$work/x.ff.txt" --doc-separator '^\f$')
printf '%-22s %8.2f %8.2f\n' "--doc-separator" "$t" "$(python3 -c "print($t / $plain)")"

#!/usr/bin/env bash
# Scaling with threads: decruft -j1 against decruft -jN on one large file of
# plain news, one of generated dirty news, and a folder of dirty news files.
# Runs alternate (-j1, -jN, -j1, ...) so that a change in the machine's load
# falls on both sides of each pair; prints every pair's ratio and the ratio
# of the mean times. See benches/README.md.
#
# Usage: benches/compare/scaling.sh [options]
#   --decruft PATH   decruft binary (default: <repo>/target/release/decruft)
#   --size SIZE      size of each generated input (default 1G)
#   --pairs N        alternating pairs per input (default 8)
#   --threads N      threads of the parallel side (default: all cores)
#   --only WHAT      plain, dirty or folder: run that input only
#   --workdir DIR    where inputs go (default /tmp/decruft-bench)
#   --out DIR        where the folder's output goes (default /dev/shm/decruft-scaling
#                    where /dev/shm exists: on disk, writing back one run's output
#                    slows the next)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
size=1G
pairs=8
threads=$(nproc)
only=
workdir=/tmp/decruft-bench
out=

while (( $# )); do
    case $1 in
        --decruft) decruft=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
need_decruft
case $only in ''|plain|dirty|folder) ;; *) die "--only takes plain, dirty or folder" ;; esac
(( threads > 1 )) || die "--threads must be 2 or more (this machine has $(nproc) cores)"
mkdir -p "$workdir"

# Seconds of wall time for one run of decruft with the given arguments.
seconds() {
    local start=$EPOCHREALTIME
    "$decruft" "$@" > /dev/null
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}

# Alternating pairs on one input; the arguments follow -jN.
measure() {
    local name=$1; shift
    local bytes
    bytes=$(find "${@: -1}" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    # Warm the page cache and check the command once.
    "$decruft" -j1 "$@" > /dev/null
    echo "== $name ($(( bytes / 1000000 )) MB): -j1 against -j$threads, $pairs pairs"
    local i one many
    for (( i = 1; i <= pairs; i++ )); do
        one=$(seconds -j1 "$@")
        many=$(seconds "-j$threads" "$@")
        echo "$one $many"
    done | awk -v t="$threads" '
        { a += $1; b += $2; r = $1 / $2; printf "  %s s  %s s  %.2fx\n", $1, $2, r
          if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
        END { printf "  mean -j1 %.3f s, -j%d %.3f s: %.2fx (pairs %.2f-%.2fx)\n",
              a / NR, t, b / NR, a / b, lo, hi }'
}

if [[ -z $only || $only == plain ]]; then
    input=$workdir/plain-$size.txt
    [[ -f $input ]] || python3 "$repo/benches/corpus/plain.py" "$size" "$input"
    measure "one file of plain news" "$input"
fi
if [[ -z $only || $only == dirty ]]; then
    input=$workdir/dirty-$size-s1.txt
    [[ -f $input ]] || python3 "$repo/benches/corpus/generate.py" --size "$size" --seed 1 --single "$input"
    measure "one file of dirty news" "$input"
fi
if [[ -z $only || $only == folder ]]; then
    input=$workdir/dirty-$size-s1
    [[ -d $input ]] || python3 "$repo/benches/corpus/generate.py" --size "$size" --seed 1 --out "$input"
    if [[ -z $out ]]; then
        out=$workdir/out-scaling
        [[ -d /dev/shm ]] && out=/dev/shm/decruft-scaling
    fi
    rm -rf "$out"
    measure "a folder of dirty news files" -o "$out" "$input"
    rm -rf "$out"
fi

#!/usr/bin/env bash
# Throughput of decruft against cat, a GNU sed + tr pipeline and a Python/ftfy
# script, in one hyperfine run on the same input. See benches/README.md.
#
# Usage: benches/compare/compare.sh [options]
#   --decruft PATH   decruft binary (default: <repo>/target/release/decruft)
#   --size SIZE      size of the generated input (default 200M; 1G for the full run)
#   --input PATH     use this file (or folder with --dir) instead of generating one
#   --plain          plain UTF-8 news (the BBC articles concatenated, what the
#                    speed targets are stated for) instead of generated dirty news
#   --dir            compare on a folder of files (decruft DIR -o OUT) instead of one file
#   --pipe           compare `cat big | decruft | cat` with `cat big | cat`
#   --runs N         timed runs per command (default 3)
#   --no-python      leave out the Python/ftfy baseline (the slowest)
#   --workdir DIR    where inputs, outputs and JSON go (default /tmp/decruft-bench)
#   --seed N         generator seed (default 1)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
size=200M
input=
plain=0
mode=file
runs=3
python=1
workdir=/tmp/decruft-bench
seed=1

while (( $# )); do
    case $1 in
        --decruft) decruft=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --input) input=$2; shift 2 ;;
        --plain) plain=1; shift ;;
        --dir) mode=dir; shift ;;
        --pipe) mode=pipe; shift ;;
        --runs) runs=$2; shift 2 ;;
        --no-python) python=0; shift ;;
        --workdir) workdir=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

need hyperfine "apt-get install -y hyperfine"
need_decruft
if (( python )) && ! python3 -c 'import ftfy' 2>/dev/null; then
    echo "compare.sh: ftfy not installed ('pip install ftfy'); leaving out the Python baseline" >&2
    python=0
fi
mkdir -p "$workdir"

# Input: generated once per size/seed and reused.
if [[ -z $input && $plain == 1 ]]; then
    [[ $mode != dir ]] || die "--plain makes one file; use it without --dir"
    input=$workdir/plain-$size.txt
    [[ -f $input ]] || python3 "$repo/benches/corpus/plain.py" "$size" "$input"
fi
if [[ -z $input ]]; then
    if [[ $mode == dir ]]; then
        input=$workdir/dirty-$size-s$seed
        [[ -d $input ]] || python3 "$repo/benches/corpus/generate.py" --size "$size" --seed "$seed" --out "$input"
    else
        input=$workdir/dirty-$size-s$seed.txt
        [[ -f $input ]] || python3 "$repo/benches/corpus/generate.py" --size "$size" --seed "$seed" --single "$input"
    fi
fi
[[ -e $input ]] || die "input not found: $input"
bytes=$(find "$input" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
ncpu=$(nproc)
out=$workdir/out
q() { printf '%q' "$1"; }

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
case $mode in
    file)
        add "cat" "cat $(q "$input")"
        add "decruft -j1" "$(q "$decruft") -j1 $(q "$input")"
        add "decruft -j$ncpu" "$(q "$decruft") -j$ncpu $(q "$input")"
        add "sed+tr" "$(q "$here/sed_clean.sh") $(q "$input")"
        (( python )) && add "python+ftfy" "python3 $(q "$here/python_clean.py") $(q "$input")"
        ;;
    dir)
        add "cat" "find $(q "$input") -type f -exec cat {} +"
        add "decruft -j1" "rm -rf $(q "$out") && $(q "$decruft") -j1 $(q "$input") -o $(q "$out")"
        add "decruft -j$ncpu" "rm -rf $(q "$out") && $(q "$decruft") -j$ncpu $(q "$input") -o $(q "$out")"
        add "sed+tr" "find $(q "$input") -type f -exec cat {} + | $(q "$here/sed_clean.sh")"
        (( python )) && add "python+ftfy" "python3 $(q "$here/python_clean.py") $(q "$input")"
        ;;
    pipe)
        add "cat | cat" "cat $(q "$input") | cat"
        add "cat | decruft | cat" "cat $(q "$input") | $(q "$decruft") | cat"
        add "cat | decruft -j1 | cat" "cat $(q "$input") | $(q "$decruft") -j1 | cat"
        ;;
esac

# Check each command once before timing it (this is also the warm-up): it
# must exit 0; record its output size so fast-but-wrong shows.
echo "input: $input ($(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b/1e6}')), $ncpu CPUs, mode $mode"
echo "checking each command once:"
sizes=()
for i in "${!cmds[@]}"; do
    t0=$(date +%s.%N)
    if ! bash -c "${cmds[$i]}" > "$workdir/check.out" 2> "$workdir/check.err"; then
        echo "  ${names[$i]}: FAILED: ${cmds[$i]}" >&2
        head -5 "$workdir/check.err" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    if [[ $mode == dir && ${names[$i]} == decruft* ]]; then
        o=$(find "$out" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    else
        o=$(stat -c %s "$workdir/check.out")
    fi
    sizes+=("$o")
    printf '  %-22s ok, %6.2f s, output %s bytes\n' "${names[$i]}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$o"
done

hf=()
for i in "${!cmds[@]}"; do hf+=(--command-name "${names[$i]}" "${cmds[$i]}"); done
json=$workdir/compare-$mode.json
hyperfine --runs "$runs" --style basic --output null --export-json "$json" "${hf[@]}"

python3 - "$json" "$bytes" "${sizes[@]}" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
nbytes = int(sys.argv[2])
sizes = [int(s) for s in sys.argv[3:]]
ref = max((r for r in res if "decruft" in r["command"]), key=lambda r: -r["mean"], default=None)
print()
print(f"{'command':<24} {'mean s':>9} {'± s':>7} {'MB/s':>8} {'time vs decruft':>16} {'output MB':>10}")
for r, o in zip(res, sizes):
    mbs = nbytes / 1e6 / r["mean"]
    vs = f"{r['mean'] / ref['mean']:.2f}x" if ref else "-"
    print(f"{r['command']:<24} {r['mean']:9.3f} {r['stddev'] or 0:7.3f} {mbs:8.1f} {vs:>16} {o / 1e6:10.1f}")
if ref:
    print(f"\n'time vs decruft' = mean time / mean time of '{ref['command']}' (the fastest decruft row); "
          f">1 is slower than decruft.")
print(f"input {nbytes / 1e6:.1f} MB; hyperfine JSON: {sys.argv[1]}")
EOF

#!/usr/bin/env bash
# Instructions per byte of `decruft -j1`, counted by valgrind's callgrind: a
# figure that does not move with the machine's load, unlike wall time.
#
# Usage: benches/compare/instructions.sh [--decruft PATH] [--size 20M] [--workdir DIR]
#
# Inputs (cached in the work folder, built from ../shared/corpus/bbc):
#   plain    the BBC articles concatenated as they are (plain UTF-8 news)
#   dirty    benches/corpus/generate.py --single (site chrome, notices,
#            whitespace mess, mojibake, entities)
# Rows: start-up alone (an empty file), plain, dirty, plain news of other
# articles (BBC sport and tech) with a corpus profile learned from generated
# news of the same sites (business, entertainment, politics articles), and
# dirty news with a profile learned from a generated folder of the same
# sites and articles (a third of its lines are copies the profile holds).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
size=20M
workdir=/tmp/decruft-instructions

while (( $# )); do
    case $1 in
        --decruft) decruft=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
need_decruft
need valgrind "apt-get install -y valgrind"
mkdir -p "$workdir"

plain=$workdir/plain-$size.txt
dirty=$workdir/dirty-$size.txt
held=$workdir/plain-$size-sport,tech.txt
folder=$workdir/sites-$size
other=$workdir/sites-$size-business,entertainment,politics
empty=$workdir/empty.txt
: > "$empty"
gen=$repo/benches/corpus/generate.py
[[ -s $plain ]] || python3 "$repo/benches/corpus/plain.py" "$size" "$plain"
[[ -s $held ]] || python3 "$repo/benches/corpus/plain.py" "$size" "$held" --categories sport,tech
[[ -s $dirty ]] || python3 "$gen" --size "$size" --single "$dirty" >/dev/null
[[ -d $folder ]] || python3 "$gen" --size "$size" --out "$folder" --seed 7 >/dev/null
[[ -d $other ]] || python3 "$gen" --size "$size" --out "$other" --seed 7 \
    --categories business,entertainment,politics >/dev/null
# Learned afresh each time (in a fraction of a second): a profile's format
# follows the key definition of the decruft that wrote it.
profile=$workdir/sites-$size.profile
other_profile=$workdir/sites-$size-other.profile
"$decruft" learn "$folder" -o "$profile" 2>/dev/null
"$decruft" learn "$other" -o "$other_profile" 2>/dev/null

count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}

echo "decruft: $("$decruft" --version)  commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
printf '%-40s %12s %12s %10s\n' input bytes instructions "per byte"
start=$(count "$decruft" -j1 "$empty")
printf '%-40s %12s %12s %10s\n' "start-up (empty file)" 0 "$start" -
for row in "plain BBC news|$plain|" "generated dirty news|$dirty|" \
    "plain news + profile (other articles)|$held|--profile $other_profile" \
    "dirty news + profile (same articles)|$dirty|--profile $profile"; do
    IFS='|' read -r name file extra <<<"$row"
    size_bytes=$(stat -c %s "$file")
    # shellcheck disable=SC2086
    n=$(count "$decruft" -j1 $extra "$file")
    printf '%-40s %12s %12s %10.2f\n' "$name" "$size_bytes" "$n" "$(echo "$n / $size_bytes" | bc -l)"
done

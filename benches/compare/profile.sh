#!/usr/bin/env bash
# Throughput of decruft with a corpus profile applied, beside the same runs
# without one, in one hyperfine run. See benches/README.md.
#
# Usage: benches/compare/profile.sh [options]
#   --decruft PATH     decruft binary (default: <repo>/target/release/decruft)
#   --size SIZE        size of each input cleaned (default 1G)
#   --learn-size SIZE  size of the corpus the profile is learned from (default 200M)
#   --runs N           timed runs per command (default 3)
#   --workdir DIR      where inputs, profiles and JSON go (default /tmp/decruft-bench)
#
# The profile is learned, as a user would learn one, from a folder of
# generated dirty news (site chrome, notices, ...) built from the BBC
# business, entertainment and politics articles. It is applied to inputs
# made of the other articles (sport, tech) by the same sites:
#   plain  plain UTF-8 news (what the speed targets are stated for)
#   dirty  generated dirty news, one file
# and, as the costly case, to plain news of all articles with a profile
# learned from all of them, where about a third of the lines are copies the
# profile holds (`same`).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
size=1G
learn_size=200M
runs=3
workdir=/tmp/decruft-bench

while (( $# )); do
    case $1 in
        --decruft) decruft=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --learn-size) learn_size=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
need hyperfine "apt-get install -y hyperfine"
need_decruft
mkdir -p "$workdir"

learned=business,entertainment,politics
held=sport,tech
gen=$repo/benches/corpus/generate.py
plain_py=$repo/benches/corpus/plain.py
# Inputs, made once and reused. Profiles are learned afresh each run (in
# about a second): a profile's format follows the key definition of the
# decruft that wrote it.
sites=$workdir/sites-$learn_size-$learned
[[ -d $sites ]] || python3 "$gen" --size "$learn_size" --seed 7 --categories "$learned" --out "$sites" >/dev/null
all_sites=$workdir/sites-$learn_size-all
[[ -d $all_sites ]] || python3 "$gen" --size "$learn_size" --seed 7 --out "$all_sites" >/dev/null
profile=$workdir/$(basename "$sites").profile
"$decruft" learn "$sites" -o "$profile" 2>/dev/null
all_profile=$workdir/$(basename "$all_sites").profile
"$decruft" learn "$all_sites" -o "$all_profile" 2>/dev/null
plain=$workdir/plain-$size-$held.txt
[[ -s $plain ]] || python3 "$plain_py" "$size" "$plain" --categories "$held"
dirty=$workdir/dirty-$size-$held.txt
[[ -s $dirty ]] || python3 "$gen" --size "$size" --seed 1 --categories "$held" --single "$dirty" >/dev/null
same=$workdir/plain-$size.txt
[[ -s $same ]] || python3 "$plain_py" "$size" "$same"

ncpu=$(nproc)
q() { printf '%q' "$1"; }
names=() cmds=() inputs=()
add() { names+=("$1"); cmds+=("$2"); inputs+=("$3"); }
for row in "plain|$plain|$profile" "dirty|$dirty|$profile" "same|$same|$all_profile"; do
    IFS='|' read -r name file prof <<<"$row"
    add "$name -j1" "$(q "$decruft") -j1 $(q "$file")" "$file"
    add "$name -j1 --profile" "$(q "$decruft") -j1 --profile $(q "$prof") $(q "$file")" "$file"
    add "$name -j$ncpu --profile" "$(q "$decruft") -j$ncpu --profile $(q "$prof") $(q "$file")" "$file"
done

echo "decruft: $("$decruft" --version)  commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "profiles: $profile ($(stat -c %s "$profile") bytes), $all_profile"
# What each profile does to its input, once (also the warm-up).
for row in "plain|$plain|$profile" "dirty|$dirty|$profile" "same|$same|$all_profile"; do
    IFS='|' read -r name file prof <<<"$row"
    "$decruft" -j"$ncpu" --profile "$prof" --stats=json "$file" 2>"$workdir/profile-stats.json" >/dev/null
    python3 - "$name" "$workdir/profile-stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[2]))
removed = s.get("lines_removed", {})
print(f"  {sys.argv[1]:<6} lines in {s['lines_in']:>10}, removed as corpus boilerplate "
      f"{removed.get('corpus', 0):>8}, kept {s['lines_kept']:>10}")
EOF
done

hf=()
for i in "${!cmds[@]}"; do hf+=(--command-name "${names[$i]}" "${cmds[$i]}"); done
json=$workdir/profile.json
hyperfine --runs "$runs" --style basic --output null --export-json "$json" "${hf[@]}"

sizes=()
for f in "${inputs[@]}"; do sizes+=("$(stat -c %s "$f")"); done
python3 - "$json" "${sizes[@]}" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
sizes = [int(s) for s in sys.argv[2:]]
print()
print(f"{'command':<26} {'mean s':>9} {'± s':>7} {'MB/s':>8} {'time vs no profile':>19}")
base = None
for r, n in zip(res, sizes):
    if " --profile" not in r["command"]:
        base = r["mean"]
    print(f"{r['command']:<26} {r['mean']:9.3f} {r['stddev'] or 0:7.3f} {n / 1e6 / r['mean']:8.1f}"
          f" {r['mean'] / base:18.2f}x")
print(f"\nMB/s = input bytes / 1e6 / mean seconds; hyperfine JSON: {sys.argv[1]}")
EOF

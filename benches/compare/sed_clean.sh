#!/usr/bin/env bash
# GNU sed + tr baseline for benches/compare/compare.sh.
#
# Usage: sed_clean.sh [FILE...]   (stdin when no FILE; cleaned text on stdout)
#
# Does what a shell user would: CR removed (CRLF -> LF), runs of spaces
# squeezed, lines equal to a notice in notices.txt deleted case-insensitively
# (entries ending in " *" are prefixes), trailing blanks stripped, runs of
# blank lines squeezed. No decoding, no mojibake repair, no corpus learning.
# The notices go into two alternations (whole-line and prefix): on 20 MB this
# ran at 8 MB/s against 5 MB/s for one sed command per notice, same output.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
notices=${NOTICES:-$here/notices.txt}
script=$(mktemp)
trap 'rm -f "$script"' EXIT

# ERE metacharacters escaped; "X *" entries are prefixes.
esc() { sed -e 's/[][\/.*^$|()+?{}]/\\&/g'; }
lines=$(grep -v -e '^#' -e '^[[:space:]]*$' "$notices")
whole=$(grep -v ' \*$' <<<"$lines" | esc | paste -sd '|')
prefix=$(grep ' \*$' <<<"$lines" | sed 's/ \*$//' | esc | paste -sd '|' || true)
{
    printf '/^[[:space:]]*(%s)[[:space:]]*$/Id\n' "$whole"
    [[ -n $prefix ]] && printf '/^[[:space:]]*(%s)/Id\n' "$prefix"
    printf 's/[[:space:]]*$//\n'
} > "$script"

cat -- "$@" | tr -d '\r' | tr -s ' ' | sed -E -f "$script" | cat -s

# Sourced by the scripts in benches/compare (not run on its own): what each
# of them needs before its own work. Sets `here` (this folder), `repo` and
# the default `decruft`.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
decruft=$repo/target/release/decruft

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# Prints the script's opening comment (after the #! line) as its help.
usage() {
    awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
    exit 0
}

# Stops unless `decruft` names an executable; makes its path absolute.
need_decruft() {
    [[ -x $decruft && ! -d $decruft ]] ||
        die "decruft binary not found or not executable: $decruft (run 'cargo build --release' in $repo, or pass --decruft PATH)"
    decruft=$(cd "$(dirname "$decruft")" && pwd)/$(basename "$decruft")
}

# Stops unless the command `$1` exists; `$2` says how to install it.
need() {
    command -v "$1" > /dev/null || die "$1 not found; install it with '$2'"
}

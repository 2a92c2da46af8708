//! Compiles the built-in rules into DFAs at build time.
//!
//! Parsing and compiling the built-in patterns (case-insensitive, Unicode)
//! cost about 35 million instructions at every start, more than cleaning a
//! few megabytes of text. The same patterns are determinized and minimised
//! here once, and the binary deserialises them in microseconds. The
//! pattern text is written next to each automaton; at run time the rule
//! set uses an embedded automaton only when its patterns are exactly the
//! ones it would compile, and compiles them itself otherwise.

use regex_automata::dfa::{StartKind, dense};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{MatchKind, util::syntax};
use std::path::Path;

/// The rule table's own enum, standing in for `judge::rules::RuleKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)]
enum RuleKind {
    Line,
    Span,
}

mod table {
    #![allow(dead_code)]
    use super::RuleKind::{self, Line, Span};
    include!("src/judge/builtin_table.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/judge/builtin_table.rs");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    let out = Path::new(&out);
    let of_kind = |kind: RuleKind| -> Vec<String> {
        table::BUILTIN
            .iter()
            .filter(|rule| rule.1 == kind)
            .map(|rule| table::wrap(kind, rule.2))
            .collect()
    };
    write(
        out,
        "builtin_lines",
        &of_kind(RuleKind::Line),
        StartKind::Anchored,
    );
    write(
        out,
        "builtin_spans",
        &of_kind(RuleKind::Span),
        StartKind::Anchored,
    );
    write(
        out,
        "prose_guard",
        &[table::PROSE_GUARD.to_string()],
        StartKind::Unanchored,
    );
}

/// Writes `NAME.dfa` (a minimised dense DFA in the target's byte order) and
/// `NAME.patterns` (the patterns, one per line) into `out`.
fn write(out: &Path, name: &str, patterns: &[String], start: StartKind) {
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .start_kind(start)
                .minimize(true),
        )
        .syntax(syntax::Config::new())
        .thompson(thompson::Config::new().which_captures(WhichCaptures::None))
        .build_many(patterns)
        .unwrap_or_else(|e| panic!("built-in {name} do not compile: {e}"));
    // The bytes are read back without validation (see judge/automaton.rs),
    // so they must be in the target's byte order, not the build host's.
    let big = std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big");
    let (bytes, pad) = if big {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    std::fs::write(out.join(format!("{name}.dfa")), &bytes[pad..]).expect("write DFA");
    std::fs::write(out.join(format!("{name}.patterns")), patterns.join("\n"))
        .expect("write patterns");
}

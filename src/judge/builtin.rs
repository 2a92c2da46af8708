//! The built-in rule pack: web-scrape notices seen in real news dumps.
//!
//! Each entry is `(name, kind, pattern)`. Patterns are matched against the
//! *normalised* line (whitespace folded to single spaces, trimmed, NFC), so a
//! plain space in a pattern stands for any run of whitespace in the input.
//! Whole-line patterns are wrapped by [`super::rules`] to match the entire
//! line, case-insensitively, with a little trailing punctuation tolerated.
//! Classes are ASCII (`[0-9]`, `[a-z0-9_]`) and repetitions unbounded or
//! small: a bounded repeat of a Unicode class compiles into that many
//! copies of a large automaton, which once made start-up cost 100 million
//! instructions.
//!
//! Keep a pattern's *start* specific: all line rules run as one anchored
//! automaton that gives up on a line as soon as no rule can match its
//! beginning. One alternative that began with "any text, then `all rights
//! reserved`" kept the automaton walking every line to its end and cost a
//! sixth of the run time.
//!
//! No notice is longer than [`MAX_NOTICE_LEN`] bytes, so the rule set skips
//! longer lines (most paragraphs of prose) without running a regex at all.
//! Repetition bounds stay small (`{0,12}`, not `{0,300}`): the regex engine
//! compiles a bounded repeat of a Unicode class into that many copies, and
//! large bounds made start-up take 0.4 s.
//!
//! Rules name the *notice*, not a topic: a sentence that merely mentions
//! cookies, privacy settings, newsletters or advertising must never match.
//! The table tests in `rules.rs` hold positive rows and near-miss rows for
//! every rule, and built-in line rules are also guarded against reported
//! speech (see [`PROSE_GUARD`]).

use super::rules::RuleKind::{self, Line, Span};

include!("builtin_table.rs");

//! Judge stage: decides, line by line, what is boilerplate.
//!
//! A line meets, in order: the rule set (built-in and user rules, whole-line
//! or span), then in-document repetition (which needs the whole window
//! counted first, so it is a second pass), then the corpus profile when one
//! is loaded (see [`crate::profile`]). The judge only returns a [`Verdict`]; it never edits text.

pub mod automaton;
pub mod builtin;
pub mod key;
pub mod repeat;
pub mod rules;

pub use key::{KeyMaker, key_head};
pub use repeat::RepeatCounter;
pub use rules::{Rule, RuleCache, RuleId, RuleKind, RuleSet, RuleSetBuilder};

use std::borrow::Cow;

/// Why a line (or span) was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A rule of the [`RuleSet`].
    Rule(RuleId),
    /// The line recurs inside its document.
    Repeated,
    /// The line recurs across this many documents of the corpus, in varied
    /// surroundings.
    Corpus(u32),
}

/// The reason name of in-document repetition.
pub const REPEATED: &str = "repeated-in-document";
/// The reason name of corpus-level boilerplate in statistics.
pub const CORPUS: &str = "corpus";

impl Reason {
    /// The name `--explain` shows: the rule name, `repeated-in-document`
    /// or `corpus:N docs`.
    pub fn name<'r>(&self, rules: &'r RuleSet) -> Cow<'r, str> {
        match self {
            Reason::Rule(id) => Cow::Borrowed(rules.name(*id)),
            Reason::Repeated => Cow::Borrowed(REPEATED),
            Reason::Corpus(docs) => Cow::Owned(format!("{CORPUS}:{docs} docs")),
        }
    }

    /// The name statistics group by: as [`Reason::name`], but one `corpus`
    /// for all corpus removals.
    pub fn group<'r>(&self, rules: &'r RuleSet) -> Cow<'r, str> {
        match self {
            Reason::Corpus(_) => Cow::Borrowed(CORPUS),
            other => other.name(rules),
        }
    }
}

/// What happens to one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The line stays.
    Keep,
    /// The whole line goes.
    Remove(Reason),
    /// Bytes `start..end` of the line go, the rest stays.
    Trim {
        /// Why.
        reason: Reason,
        /// Start of the cut.
        start: u32,
        /// End of the cut.
        end: u32,
    },
}

//! Anchored rule matching with a lazy DFA walked by hand.
//!
//! Every line of a document meets the rules, and almost every line fails
//! them within its first few bytes ("The ", "He said" ...). What such a
//! line costs is therefore the per-search set-up, not the scan: a general
//! regex search spends hundreds of instructions deciding on a strategy,
//! fetching a cache from a pool and computing a start state before it
//! looks at the first byte. Here the caller owns the cache, the search is
//! always anchored at the start of the line, and the loop is the DFA
//! transition and nothing else, so a line the rules reject costs a few
//! instructions per byte it walks.
//!
//! Only the forward automaton is built: an anchored match starts at 0, so
//! the reverse automaton a general regex compiles to find where a match
//! starts is never needed, which also halves the rule set's start-up.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};

/// A multi-pattern automaton searched only at the start of a haystack.
#[derive(Debug)]
pub struct AnchoredDfa {
    dfa: DFA,
    start: start::Config,
}

/// The lazy DFA's cache is per thread and grows to this size; a big,
/// case-insensitive Unicode rule set thrashes the default 2 MiB.
const CACHE_CAPACITY: usize = 16 << 20;

impl AnchoredDfa {
    /// Compiles `patterns`; pattern `i` reports `i`. Earlier patterns win
    /// when several match (leftmost-first, as in a regex alternation).
    pub fn new(patterns: &[String]) -> Result<AnchoredDfa, String> {
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    .cache_capacity(CACHE_CAPACITY)
                    // Never give up for a slower engine: there is none.
                    .minimum_cache_clear_count(None),
            )
            .thompson(
                thompson::Config::new()
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(64 << 20)),
            )
            .build_many(patterns)
            .map_err(|e| e.to_string())?;
        Ok(AnchoredDfa {
            dfa,
            start: start::Config::new().anchored(Anchored::Yes),
        })
    }

    /// A fresh cache for one thread.
    pub fn cache(&self) -> Cache {
        self.dfa.create_cache()
    }

    /// The pattern that matches all of `hay`, if any.
    pub fn whole(&self, cache: &mut Cache, hay: &[u8]) -> Option<usize> {
        let dfa = &self.dfa;
        let mut sid = dfa.start_state(cache, &self.start).ok()?;
        for &b in hay {
            sid = dfa.next_state(cache, sid, b).ok()?;
            if sid.is_dead() {
                return None;
            }
        }
        sid = dfa.next_eoi_state(cache, sid).ok()?;
        sid.is_match()
            .then(|| dfa.match_pattern(cache, sid, 0).as_usize())
    }

    /// The leftmost-first match starting at 0: its pattern and end.
    pub fn prefix(&self, cache: &mut Cache, hay: &[u8]) -> Option<(usize, usize)> {
        let dfa = &self.dfa;
        let mut found = None;
        let mut sid = dfa.start_state(cache, &self.start).ok()?;
        for (at, &b) in hay.iter().enumerate() {
            sid = dfa.next_state(cache, sid, b).ok()?;
            if sid.is_tagged() {
                // Matches are reported one byte late: this state says a
                // match ended just before `at`.
                if sid.is_match() {
                    found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), at));
                } else if sid.is_dead() {
                    return found;
                }
            }
        }
        sid = dfa.next_eoi_state(cache, sid).ok()?;
        if sid.is_match() {
            found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), hay.len()));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn whole_matches_only_the_entire_haystack_and_the_first_pattern_wins() {
        let a = AnchoredDfa::new(&pats(&["(?i)^(?:share|tweet)$", "(?i)^share.*$"])).unwrap();
        let mut c = a.cache();
        assert_eq!(a.whole(&mut c, b"SHARE"), Some(0));
        assert_eq!(a.whole(&mut c, b"share this"), Some(1));
        assert_eq!(a.whole(&mut c, b"The share price fell"), None);
        assert_eq!(a.whole(&mut c, b""), None);
    }

    #[test]
    fn prefix_reports_the_leftmost_first_end() {
        let a = AnchoredDfa::new(&pats(&[
            "(?i)^image caption,? ",
            "(?i)^media (?:caption )?",
        ]))
        .unwrap();
        let mut c = a.cache();
        assert_eq!(a.prefix(&mut c, b"Image caption, The mayor"), Some((0, 15)));
        assert_eq!(a.prefix(&mut c, b"Media caption text"), Some((1, 14)));
        assert_eq!(a.prefix(&mut c, b"media"), None);
        assert_eq!(a.prefix(&mut c, b"The image caption "), None);
    }
}

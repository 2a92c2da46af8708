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
//!
//! The built-in rules do not even compile at start-up: the build script
//! (`build.rs`) determinizes them into dense DFAs embedded in the binary,
//! used whenever the patterns at hand are exactly those it compiled.

use regex_automata::dfa::{Automaton, dense};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};
use std::sync::OnceLock;

/// A dense DFA's bytes, aligned for zero-copy deserialisation.
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

/// One automaton the build script made: its bytes and its patterns.
struct Embedded {
    dfa: &'static Aligned<[u8]>,
    patterns: &'static str,
    loaded: OnceLock<Option<dense::DFA<&'static [u32]>>>,
}

macro_rules! embedded {
    ($name:literal) => {
        Embedded {
            dfa: &Aligned {
                _align: [],
                bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".dfa")),
            },
            patterns: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".patterns")),
            loaded: OnceLock::new(),
        }
    };
}

static BUILTIN_LINES: Embedded = embedded!("builtin_lines");
static BUILTIN_SPANS: Embedded = embedded!("builtin_spans");
static PROSE_GUARD: Embedded = embedded!("prose_guard");

impl Embedded {
    /// The automaton, when it was built from exactly `patterns`.
    fn for_patterns(
        &'static self,
        patterns: &[String],
    ) -> Option<&'static dense::DFA<&'static [u32]>> {
        let same = patterns.len() == self.patterns.split('\n').count()
            && patterns
                .iter()
                .zip(self.patterns.split('\n'))
                .all(|(a, b)| a == b);
        if !same {
            return None;
        }
        self.loaded
            .get_or_init(|| {
                // SAFETY: the bytes are a `dense::DFA` serialised by this
                // crate's build script, for this target's byte order, by the
                // same regex-automata (Cargo.lock holds one 0.4 release for
                // the build script and the library). Checked deserialising
                // costs 9 million instructions at every start; the test
                // `embedded_automata_deserialise_checked` runs the checked
                // path on the same bytes.
                let (dfa, _) = unsafe { dense::DFA::from_bytes_unchecked(&self.dfa.bytes) }.ok()?;
                Some(dfa)
            })
            .as_ref()
    }
}

/// The engine behind an [`AnchoredDfa`].
#[derive(Debug)]
enum Engine {
    /// Embedded at build time: no compiling, no cache.
    Built(&'static dense::DFA<&'static [u32]>),
    /// Compiled now (user rules), determinized lazily per thread.
    Lazy(Box<DFA>),
}

/// A multi-pattern automaton searched only at the start of a haystack.
#[derive(Debug)]
pub struct AnchoredDfa {
    engine: Engine,
    start: start::Config,
    /// For an embedded automaton, the pairs of first bytes after which it
    /// has died without a match (see [`AnchoredDfa::prefix`]), one bit
    /// per pair; made on first use.
    dead_pairs: OnceLock<Option<Box<[u64]>>>,
}

/// Per-thread scratch of one [`AnchoredDfa`] (none for an embedded one).
#[derive(Debug)]
pub struct DfaCache(Option<Cache>);

/// The lazy DFA's cache is per thread and grows to this size; a big,
/// case-insensitive Unicode rule set thrashes the default 2 MiB.
const CACHE_CAPACITY: usize = 16 << 20;

impl AnchoredDfa {
    /// Compiles `patterns`; pattern `i` reports `i`. Earlier patterns win
    /// when several match (leftmost-first, as in a regex alternation).
    pub fn new(patterns: &[String]) -> Result<AnchoredDfa, String> {
        for embedded in [&BUILTIN_LINES, &BUILTIN_SPANS] {
            if let Some(dfa) = embedded.for_patterns(patterns) {
                return Ok(AnchoredDfa::with(Engine::Built(dfa)));
            }
        }
        AnchoredDfa::compiled(patterns)
    }

    /// Compiles `patterns` now, never using an embedded automaton.
    pub fn compiled(patterns: &[String]) -> Result<AnchoredDfa, String> {
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
        Ok(AnchoredDfa::with(Engine::Lazy(Box::new(dfa))))
    }

    fn with(engine: Engine) -> AnchoredDfa {
        AnchoredDfa {
            engine,
            start: start::Config::new().anchored(Anchored::Yes),
            dead_pairs: OnceLock::new(),
        }
    }

    /// True when the automaton came embedded in the binary.
    pub fn is_embedded(&self) -> bool {
        matches!(self.engine, Engine::Built(_))
    }

    /// A fresh cache for one thread.
    pub fn cache(&self) -> DfaCache {
        match &self.engine {
            Engine::Built(_) => DfaCache(None),
            Engine::Lazy(dfa) => DfaCache(Some(dfa.create_cache())),
        }
    }

    /// The pattern that matches all of `hay`, if any.
    pub fn whole(&self, cache: &mut DfaCache, hay: &[u8]) -> Option<usize> {
        match (&self.engine, &mut cache.0) {
            (Engine::Built(dfa), _) => whole(&mut Dense(dfa), &self.start, hay),
            (Engine::Lazy(dfa), Some(cache)) => whole(&mut Lazy(dfa, cache), &self.start, hay),
            (Engine::Lazy(_), None) => None,
        }
    }

    /// The leftmost-first match starting at 0: its pattern and end.
    ///
    /// Span rules start with a few words ("Image caption", "Media
    /// playback"), so nearly every line of prose leaves them dead within
    /// two bytes; a table of those pairs answers for such a line with one
    /// bit instead of a walk through a table too large for the L1 cache.
    #[inline]
    pub fn prefix(&self, cache: &mut DfaCache, hay: &[u8]) -> Option<(usize, usize)> {
        if let [b0, b1, ..] = *hay
            && let Some(dead) = self.dead_pairs()
        {
            let pair = usize::from(b0) << 8 | usize::from(b1);
            if dead[pair / 64] >> (pair % 64) & 1 == 1 {
                return None;
            }
        }
        self.prefix_walk(cache, hay)
    }

    /// [`prefix`](AnchoredDfa::prefix) by a walk.
    #[inline(never)]
    fn prefix_walk(&self, cache: &mut DfaCache, hay: &[u8]) -> Option<(usize, usize)> {
        match (&self.engine, &mut cache.0) {
            (Engine::Built(dfa), _) => prefix(&mut Dense(dfa), &self.start, hay),
            (Engine::Lazy(dfa), Some(cache)) => prefix(&mut Lazy(dfa, cache), &self.start, hay),
            (Engine::Lazy(_), None) => None,
        }
    }
}

impl AnchoredDfa {
    /// The dead-pair table of an embedded automaton (a lazy one's states
    /// change as its cache fills, so it has none).
    fn dead_pairs(&self) -> Option<&[u64]> {
        let Engine::Built(dfa) = &self.engine else {
            return None;
        };
        self.dead_pairs
            .get_or_init(|| dead_pairs(&mut Dense(dfa), &self.start))
            .as_deref()
    }
}

/// One bit per pair of bytes `(b0, b1)`, at `b0 << 8 | b1`: set when the
/// automaton is dead after them and passed no match state on the way, so
/// that no haystack starting with them has an anchored match.
fn dead_pairs<W: Walk>(dfa: &mut W, start: &start::Config) -> Option<Box<[u64]>> {
    let mut bits = vec![0u64; (1 << 16) / 64].into_boxed_slice();
    let from = dfa.start(start)?;
    for b0 in 0..=255u8 {
        let first = dfa.next(from, b0)?;
        if dfa.is_match(first) {
            continue;
        }
        let row = &mut bits[usize::from(b0) * 4..usize::from(b0) * 4 + 4];
        if dfa.is_dead(first) {
            row.fill(u64::MAX);
            continue;
        }
        for b1 in 0..=255u8 {
            let second = dfa.next(first, b1)?;
            if dfa.is_dead(second) && !dfa.is_match(second) {
                row[usize::from(b1) / 64] |= 1 << (b1 % 64);
            }
        }
    }
    Some(bits)
}

/// The few DFA operations a hand-walked search needs, so that one walk
/// serves the embedded dense DFA and the lazy one. `None` is a lazy-DFA
/// error (which its configuration rules out) and ends the search.
trait Walk {
    type Id: Copy;
    fn start(&mut self, config: &start::Config) -> Option<Self::Id>;
    fn next(&mut self, id: Self::Id, byte: u8) -> Option<Self::Id>;
    fn eoi(&mut self, id: Self::Id) -> Option<Self::Id>;
    /// Cheap test that `id` may be dead or a match (else it is neither).
    fn is_special(&self, id: Self::Id) -> bool;
    fn is_dead(&self, id: Self::Id) -> bool;
    fn is_match(&self, id: Self::Id) -> bool;
    /// The first (highest-priority) pattern of a match state.
    fn pattern(&mut self, id: Self::Id) -> usize;
}

struct Dense<'d>(&'d dense::DFA<&'static [u32]>);

impl Walk for Dense<'_> {
    type Id = regex_automata::util::primitives::StateID;
    #[inline]
    fn start(&mut self, config: &start::Config) -> Option<Self::Id> {
        self.0.start_state(config).ok()
    }
    #[inline(always)]
    fn next(&mut self, id: Self::Id, byte: u8) -> Option<Self::Id> {
        Some(self.0.next_state(id, byte))
    }
    #[inline]
    fn eoi(&mut self, id: Self::Id) -> Option<Self::Id> {
        Some(self.0.next_eoi_state(id))
    }
    #[inline(always)]
    fn is_special(&self, id: Self::Id) -> bool {
        self.0.is_special_state(id)
    }
    #[inline]
    fn is_dead(&self, id: Self::Id) -> bool {
        self.0.is_dead_state(id)
    }
    #[inline]
    fn is_match(&self, id: Self::Id) -> bool {
        self.0.is_match_state(id)
    }
    #[inline]
    fn pattern(&mut self, id: Self::Id) -> usize {
        self.0.match_pattern(id, 0).as_usize()
    }
}

struct Lazy<'d, 'c>(&'d DFA, &'c mut Cache);

impl Walk for Lazy<'_, '_> {
    type Id = regex_automata::hybrid::LazyStateID;
    #[inline]
    fn start(&mut self, config: &start::Config) -> Option<Self::Id> {
        self.0.start_state(self.1, config).ok()
    }
    #[inline(always)]
    fn next(&mut self, id: Self::Id, byte: u8) -> Option<Self::Id> {
        self.0.next_state(self.1, id, byte).ok()
    }
    #[inline]
    fn eoi(&mut self, id: Self::Id) -> Option<Self::Id> {
        self.0.next_eoi_state(self.1, id).ok()
    }
    #[inline(always)]
    fn is_special(&self, id: Self::Id) -> bool {
        id.is_tagged()
    }
    #[inline]
    fn is_dead(&self, id: Self::Id) -> bool {
        id.is_dead()
    }
    #[inline]
    fn is_match(&self, id: Self::Id) -> bool {
        id.is_match()
    }
    #[inline]
    fn pattern(&mut self, id: Self::Id) -> usize {
        self.0.match_pattern(self.1, id, 0).as_usize()
    }
}

/// The pattern whose match is all of `hay`, anchored at its start.
fn whole<W: Walk>(dfa: &mut W, start: &start::Config, hay: &[u8]) -> Option<usize> {
    let mut id = dfa.start(start)?;
    for &b in hay {
        id = dfa.next(id, b)?;
        if dfa.is_special(id) && dfa.is_dead(id) {
            return None;
        }
    }
    id = dfa.eoi(id)?;
    dfa.is_match(id).then(|| dfa.pattern(id))
}

/// The leftmost-first match anchored at the start of `hay`: pattern, end.
fn prefix<W: Walk>(dfa: &mut W, start: &start::Config, hay: &[u8]) -> Option<(usize, usize)> {
    let mut found = None;
    let mut id = dfa.start(start)?;
    for (at, &b) in hay.iter().enumerate() {
        id = dfa.next(id, b)?;
        if dfa.is_special(id) {
            // Matches are reported one byte late: this state says a match
            // ended just before `at`.
            if dfa.is_match(id) {
                found = Some((dfa.pattern(id), at));
            } else if dfa.is_dead(id) {
                return found;
            }
        }
    }
    id = dfa.eoi(id)?;
    if dfa.is_match(id) {
        found = Some((dfa.pattern(id), hay.len()));
    }
    found
}

/// The embedded automaton of the prose guard, when `pattern` is the one it
/// was built from: `is_match` for it is [`guard_matches`].
pub fn embedded_guard(pattern: &str) -> Option<&'static dense::DFA<&'static [u32]>> {
    PROSE_GUARD.for_patterns(&[pattern.to_string()])
}

/// Does the (unanchored) guard automaton match anywhere in `hay`?
pub fn guard_matches(dfa: &dense::DFA<&'static [u32]>, hay: &[u8]) -> bool {
    let Ok(mut sid) = dfa.start_state(&start::Config::new().anchored(Anchored::No)) else {
        return false;
    };
    for &b in hay {
        sid = dfa.next_state(sid, b);
        if dfa.is_special_state(sid) {
            if dfa.is_match_state(sid) {
                return true;
            }
            if dfa.is_dead_state(sid) {
                return false;
            }
        }
    }
    dfa.is_match_state(dfa.next_eoi_state(sid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::RuleKind;
    use crate::judge::builtin::{BUILTIN, PROSE_GUARD, wrap};

    fn builtin(kind: RuleKind) -> Vec<String> {
        BUILTIN
            .iter()
            .filter(|r| r.1 == kind)
            .map(|r| wrap(kind, r.2))
            .collect()
    }

    /// Lines and spans the embedded and the freshly compiled automata must
    /// judge alike: notices, near misses, prose, and awkward bytes.
    const PROBES: &[&str] = &[
        "Share this article",
        "Share on Facebook Twitter Email",
        "The share price fell sharply on Monday.",
        "Published 2 Jul 2025, 7:05pm",
        "Updated 14:02 GMT, Monday 3 March 2025",
        "Image copyright Getty Images Image caption The mayor spoke",
        "Media playback is unsupported on your device Media caption Rain",
        "Advertisement",
        "ADVERTISEMENT",
        "We use cookies to ensure that we give you the best experience on our website.",
        "He said we use cookies to ensure that the site works.",
        "© 2025 The Daily Example. All rights reserved.",
        "Caf\u{e9} society returns, “quietly”, to the capital",
        "",
        "x",
    ];

    #[test]
    fn builtin_rules_come_embedded_and_agree_with_a_fresh_compile() {
        for (kind, probe_span) in [(RuleKind::Line, false), (RuleKind::Span, true)] {
            let patterns = builtin(kind);
            let embedded = AnchoredDfa::new(&patterns).unwrap();
            assert!(
                embedded.is_embedded(),
                "{kind:?} rules are compiled at start-up"
            );
            let fresh = AnchoredDfa::compiled(&patterns).unwrap();
            assert!(!fresh.is_embedded());
            let (mut ce, mut cf) = (embedded.cache(), fresh.cache());
            for probe in PROBES {
                let hay = probe.as_bytes();
                if probe_span {
                    assert_eq!(
                        embedded.prefix(&mut ce, hay),
                        fresh.prefix(&mut cf, hay),
                        "{probe:?}"
                    );
                } else {
                    assert_eq!(
                        embedded.whole(&mut ce, hay),
                        fresh.whole(&mut cf, hay),
                        "{probe:?}"
                    );
                }
            }
        }
        let guard = embedded_guard(PROSE_GUARD).expect("guard comes embedded");
        let re = regex::Regex::new(PROSE_GUARD).unwrap();
        for probe in PROBES
            .iter()
            .chain(&["She said no.", "saidso", "“Quoted”", "TOLD"])
        {
            assert_eq!(
                guard_matches(guard, probe.as_bytes()),
                re.is_match(probe),
                "{probe:?}"
            );
        }
    }

    #[test]
    fn embedded_automata_deserialise_checked() {
        for embedded in [&BUILTIN_LINES, &BUILTIN_SPANS, &super::PROSE_GUARD] {
            let (dfa, read) = dense::DFA::from_bytes(&embedded.dfa.bytes).expect("valid DFA");
            assert_eq!(read, embedded.dfa.bytes.len());
            assert_eq!(dfa.pattern_len(), embedded.patterns.split('\n').count());
        }
    }

    #[test]
    fn other_patterns_are_compiled() {
        let a = AnchoredDfa::new(&["(?i)^(?:custom notice)$".to_string()]).unwrap();
        assert!(!a.is_embedded());
    }

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
    fn dead_pairs_agree_with_the_walk() {
        let dfa = AnchoredDfa::new(&builtin(RuleKind::Span)).unwrap();
        assert!(dfa.is_embedded());
        let dead = dfa.dead_pairs().expect("embedded automata have the table");
        let Engine::Built(dense) = &dfa.engine else {
            unreachable!()
        };
        let mut skipped = 0;
        for pair in 0..1usize << 16 {
            let hay = [(pair >> 8) as u8, pair as u8, b' ', b'x'];
            let is_dead = dead[pair / 64] >> (pair % 64) & 1 == 1;
            let walked = prefix(&mut Dense(dense), &dfa.start, &hay);
            if is_dead {
                skipped += 1;
                assert_eq!(walked, None, "{hay:?}");
                // No continuation brings a match back.
                let long = [&hay[..2], b"age caption, media caption "].concat();
                assert_eq!(prefix(&mut Dense(dense), &dfa.start, &long), None);
            }
        }
        // "Image caption", "media playback" ...: a few first pairs live.
        assert!(skipped > 65_000, "{skipped}");
        let mut c = dfa.cache();
        assert_eq!(
            dfa.prefix(&mut c, b"Image caption, The mayor"),
            Some((1, 15))
        );
        assert_eq!(dfa.prefix(&mut c, b"The mayor"), None);
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

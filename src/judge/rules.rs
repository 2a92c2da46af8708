//! Rules: named regular expressions that remove a whole line or a span.
//!
//! A [`RuleSet`] is built once (built-in pack plus the user's `--rules`
//! files) and shared by every worker. All line rules of a group run as one
//! anchored multi-pattern lazy DFA walked by hand ([`super::automaton`]),
//! so a line that starts like no notice is rejected after a few bytes, and
//! a match names its rule. Span rules anchored at the line start (all the
//! built-in ones) run the same way; others run as one regex search. Each
//! worker owns its DFA caches ([`RuleCache`]). Lines longer than any notice
//! ([`super::builtin::MAX_NOTICE_LEN`]) skip the built-in rules entirely;
//! user rules get the same gate when their regex has a bounded length. The
//! prose guard is compiled on the first line a built-in rule matches.
//!
//! User rules file format: one regex per line, `#` starts a comment line,
//! blank lines are ignored. A line starting with `span:` removes the matched
//! span instead of the whole line. A user rule is named `FILE:LINE`, so
//! `--explain` points straight at it.

use super::automaton::{AnchoredDfa, DfaCache, embedded_guard, guard_matches};
use super::builtin::{PROSE_GUARD, wrap};
use crate::error::{Error, Result};
use regex::{Regex, RegexBuilder};
use regex_automata::MatchKind;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_syntax::hir::Look;
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// Index of a rule inside its [`RuleSet`].
pub type RuleId = u16;

/// What a rule removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// The whole line, when the pattern matches all of it.
    Line,
    /// Only the matched span; the rest of the line stays.
    Span,
}

/// One named rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Name shown in `--explain` and the statistics.
    pub name: String,
    /// Whole line or span.
    pub kind: RuleKind,
    /// The regex as written.
    pub pattern: String,
    /// Built-in rules keep lines that read like reported speech.
    pub guarded: bool,
}

/// Builds a [`RuleSet`].
#[derive(Debug)]
pub struct RuleSetBuilder {
    builtin: bool,
    user: Vec<Rule>,
}

impl Default for RuleSetBuilder {
    fn default() -> Self {
        RuleSetBuilder {
            builtin: true,
            user: Vec::new(),
        }
    }
}

impl RuleSetBuilder {
    /// A builder with the built-in pack on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns the built-in pack on or off (`--no-builtin-rules`).
    pub fn builtin(&mut self, yes: bool) -> &mut Self {
        self.builtin = yes;
        self
    }

    /// Adds one user rule; the regex is checked now.
    pub fn rule(
        &mut self,
        name: &str,
        kind: RuleKind,
        pattern: &str,
    ) -> std::result::Result<&mut Self, String> {
        compile(kind, pattern).map_err(|e| e.to_string())?;
        self.user.push(Rule {
            name: name.to_string(),
            kind,
            pattern: pattern.to_string(),
            guarded: false,
        });
        Ok(self)
    }

    /// Adds the rules of a rules file's text; `path` names them.
    pub fn rules_text(&mut self, path: &Path, text: &str) -> Result<&mut Self> {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kind, pattern) = match line.strip_prefix("span:") {
                Some(rest) => (RuleKind::Span, rest.trim()),
                None => (RuleKind::Line, line),
            };
            let name = format!("{}:{}", path.display(), i + 1);
            self.rule(&name, kind, pattern)
                .map_err(|message| Error::BadRule {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message: first_line(&message),
                })?;
        }
        Ok(self)
    }

    /// Reads a rules file (`--rules FILE`).
    pub fn rules_file(&mut self, path: &Path) -> Result<&mut Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
            message: format!("{}: cannot read rules file: {e}", path.display()),
        })?;
        self.rules_text(path, &text)
    }

    /// Compiles everything.
    pub fn build(&self) -> Result<RuleSet> {
        let mut rules = Vec::new();
        if self.builtin {
            for &(name, kind, pattern) in super::builtin::BUILTIN {
                rules.push(Rule {
                    name: name.to_string(),
                    kind,
                    pattern: pattern.to_string(),
                    guarded: true,
                });
            }
        }
        rules.extend(self.user.iter().cloned());
        RuleSet::new(rules)
    }
}

fn first_line(s: &str) -> String {
    // regex errors are multi-line drawings; the last line says what is wrong.
    s.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| s.lines().next().unwrap_or(""))
        .trim_start_matches("error: ")
        .to_string()
}

fn compile(kind: RuleKind, pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(&wrap(kind, pattern))
        .size_limit(32 << 20)
        .build()
}

/// Compiles unanchored span patterns into one multi-pattern regex that
/// reports which pattern matched.
fn compile_many(patterns: &[String]) -> Result<MetaRegex> {
    MetaRegex::builder()
        .configure(
            MetaRegex::config()
                .match_kind(MatchKind::LeftmostFirst)
                .hybrid_cache_capacity(16 << 20)
                .nfa_size_limit(Some(64 << 20))
                .which_captures(WhichCaptures::Implicit)
                .onepass(false),
        )
        .build_many(patterns)
        .map_err(rules_error)
}

fn rules_error(e: impl std::fmt::Display) -> Error {
    Error::Input {
        message: format!("rules do not compile: {e}"),
    }
}

/// Per-thread scratch for matching: the lazy DFAs' caches.
#[derive(Debug)]
pub struct RuleCache {
    builtin: Option<DfaCache>,
    user: Option<DfaCache>,
    spans: Option<DfaCache>,
}

/// One group of line rules matched together.
#[derive(Debug)]
struct LineGroup {
    dfa: AnchoredDfa,
    ids: Vec<RuleId>,
    /// Longest line (bytes) any rule of the group can match, when bounded.
    max_len: Option<usize>,
}

impl LineGroup {
    fn new(rules: &[Rule], ids: Vec<RuleId>, max_len: Option<usize>) -> Result<Option<LineGroup>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let wrapped: Vec<String> = ids
            .iter()
            .map(|&i| wrap(RuleKind::Line, &rules[i as usize].pattern))
            .collect();
        let dfa = AnchoredDfa::new(&wrapped).map_err(rules_error)?;
        let max_len = max_len.or_else(|| {
            wrapped
                .iter()
                .map(|p| {
                    regex_syntax::parse(p)
                        .ok()
                        .and_then(|h| h.properties().maximum_len())
                })
                .try_fold(0usize, |acc, m| m.map(|m| acc.max(m)))
        });
        Ok(Some(LineGroup { dfa, ids, max_len }))
    }

    /// The first rule (in rule order) that matches the whole line.
    fn find(&self, cache: &mut DfaCache, line: &str) -> Option<RuleId> {
        if self.max_len.is_some_and(|max| line.len() > max) {
            return None;
        }
        self.dfa.whole(cache, line.as_bytes()).map(|i| self.ids[i])
    }
}

/// The span rules: walked like line rules when every one is anchored at
/// the start of the line (as the built-in ones are), else searched.
#[derive(Debug)]
enum SpanGroup {
    Anchored(Box<AnchoredDfa>),
    Anywhere(MetaRegex),
}

/// The prose guard: embedded at build time, or compiled when the embedded
/// automaton does not match the pattern (which a test rules out).
#[derive(Debug)]
enum Guard {
    Embedded(&'static regex_automata::dfa::dense::DFA<&'static [u32]>),
    Compiled(Regex),
}

/// Compiled rules, shared read-only by all workers.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    builtin_lines: Option<LineGroup>,
    user_lines: Option<LineGroup>,
    spans: Option<(SpanGroup, Vec<RuleId>)>,
    /// Made on the first line a built-in rule matches.
    guard: OnceLock<Guard>,
    /// Caches for callers that do not keep their own.
    spare: Mutex<Vec<RuleCache>>,
}

impl RuleSet {
    /// The built-in pack only.
    pub fn builtin() -> RuleSet {
        RuleSetBuilder::new()
            .build()
            .expect("built-in rules compile")
    }

    /// No rules at all.
    pub fn empty() -> RuleSet {
        RuleSetBuilder::new()
            .builtin(false)
            .build()
            .expect("empty rule set compiles")
    }

    fn new(rules: Vec<Rule>) -> Result<RuleSet> {
        let ids_where = |f: &dyn Fn(&Rule) -> bool| -> Vec<RuleId> {
            (0..rules.len())
                .filter(|&i| f(&rules[i]))
                .map(|i| i as RuleId)
                .collect()
        };
        let builtin_lines = LineGroup::new(
            &rules,
            ids_where(&|r| r.kind == RuleKind::Line && r.guarded),
            Some(super::builtin::MAX_NOTICE_LEN),
        )?;
        let user_lines = LineGroup::new(
            &rules,
            ids_where(&|r| r.kind == RuleKind::Line && !r.guarded),
            None,
        )?;
        let span_ids = ids_where(&|r| r.kind == RuleKind::Span);
        let spans = if span_ids.is_empty() {
            None
        } else {
            let wrapped: Vec<String> = span_ids
                .iter()
                .map(|&i| wrap(RuleKind::Span, &rules[i as usize].pattern))
                .collect();
            let anchored = wrapped.iter().all(|p| {
                regex_syntax::parse(p)
                    .is_ok_and(|h| h.properties().look_set_prefix().contains(Look::Start))
            });
            let group = if anchored {
                SpanGroup::Anchored(Box::new(AnchoredDfa::new(&wrapped).map_err(rules_error)?))
            } else {
                SpanGroup::Anywhere(compile_many(&wrapped)?)
            };
            Some((group, span_ids))
        };
        Ok(RuleSet {
            rules,
            builtin_lines,
            user_lines,
            spans,
            guard: OnceLock::new(),
            spare: Mutex::new(Vec::new()),
        })
    }

    /// Scratch for [`match_line_in`](RuleSet::match_line_in) and
    /// [`match_span_in`](RuleSet::match_span_in); one per thread.
    pub fn cache(&self) -> RuleCache {
        let anchored = |s: &(SpanGroup, Vec<RuleId>)| match &s.0 {
            SpanGroup::Anchored(dfa) => Some(dfa.cache()),
            SpanGroup::Anywhere(_) => None,
        };
        RuleCache {
            builtin: self.builtin_lines.as_ref().map(|g| g.dfa.cache()),
            user: self.user_lines.as_ref().map(|g| g.dfa.cache()),
            spans: self.spans.as_ref().and_then(anchored),
        }
    }

    /// All rules, indexed by [`RuleId`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The name of a rule.
    pub fn name(&self, id: RuleId) -> &str {
        &self.rules[id as usize].name
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule that removes this whole (normalised) line, if any. User
    /// rules win over built-in ones.
    pub fn match_line_in(&self, cache: &mut RuleCache, line: &str) -> Option<RuleId> {
        if let (Some(g), Some(c)) = (&self.user_lines, &mut cache.user)
            && let Some(id) = g.find(c, line)
        {
            return Some(id);
        }
        let id = self
            .builtin_lines
            .as_ref()?
            .find(cache.builtin.as_mut()?, line)?;
        let guard = self
            .guard
            .get_or_init(|| match embedded_guard(PROSE_GUARD) {
                Some(dfa) => Guard::Embedded(dfa),
                None => Guard::Compiled(Regex::new(PROSE_GUARD).expect("guard compiles")),
            });
        let reads_as_speech = match guard {
            Guard::Embedded(dfa) => guard_matches(dfa, line.as_bytes()),
            Guard::Compiled(re) => re.is_match(line),
        };
        if reads_as_speech {
            return None;
        }
        Some(id)
    }

    /// The leftmost span rule match, with the byte range to cut.
    pub fn match_span_in(
        &self,
        cache: &mut RuleCache,
        line: &str,
    ) -> Option<(RuleId, Range<usize>)> {
        let (group, ids) = self.spans.as_ref()?;
        match group {
            SpanGroup::Anchored(dfa) => {
                let (i, end) = dfa.prefix(cache.spans.as_mut()?, line.as_bytes())?;
                Some((ids[i], 0..end))
            }
            SpanGroup::Anywhere(re) => {
                let m = re.find(line)?;
                Some((ids[m.pattern().as_usize()], m.range()))
            }
        }
    }

    /// [`match_line_in`](RuleSet::match_line_in) with a borrowed cache.
    pub fn match_line(&self, line: &str) -> Option<RuleId> {
        self.with_cache(|c| self.match_line_in(c, line))
    }

    /// [`match_span_in`](RuleSet::match_span_in) with a borrowed cache.
    pub fn match_span(&self, line: &str) -> Option<(RuleId, Range<usize>)> {
        self.with_cache(|c| self.match_span_in(c, line))
    }

    fn with_cache<T>(&self, f: impl FnOnce(&mut RuleCache) -> T) -> T {
        let spare = self.spare.lock().ok().and_then(|mut v| v.pop());
        let mut cache = spare.unwrap_or_else(|| self.cache());
        let out = f(&mut cache);
        if let Ok(mut v) = self.spare.lock() {
            v.push(cache);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(rules: &RuleSet, line: &str) -> Option<String> {
        rules.match_line(line).map(|id| rules.name(id).to_string())
    }

    /// Lines that are notices, each with the rule that must remove it.
    const NOTICES: &[(&str, &str)] = &[
        (
            "To view this content, you'll need to update your privacy settings.",
            "privacy-notice",
        ),
        (
            "To view this content, you’ll need to update your privacy settings.",
            "privacy-notice",
        ),
        ("Please click here to do so.", "privacy-notice"),
        ("This embed is no longer available", "embed-notice"),
        ("View this post on Instagram", "embed-notice"),
        ("A post shared by Jane Doe (@janedoe)", "embed-notice"),
        ("Allow Twitter content?", "embed-notice"),
        ("Skip twitter post by @BBCBreaking", "embed-notice"),
        ("End of Twitter post by @BBCBreaking", "embed-notice"),
        (
            "The BBC is not responsible for the content of external sites.",
            "embed-notice",
        ),
        (
            "Media playback is unsupported on your device",
            "media-unsupported",
        ),
        (
            "Your browser does not support the video tag.",
            "media-unsupported",
        ),
        ("Advertisement", "advertisement"),
        ("ADVERTISEMENT", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Continue reading the main story", "advertisement"),
        (
            "We use cookies to ensure that we give you the best experience on our website.",
            "cookie-banner",
        ),
        (
            "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
            "cookie-banner",
        ),
        (
            "By continuing to use this site, you agree to our use of cookies.",
            "cookie-banner",
        ),
        ("Accept all cookies", "cookie-banner"),
        ("Sign up for our daily newsletter", "newsletter-prompt"),
        ("Subscribe to our newsletter", "newsletter-prompt"),
        (
            "Get the latest headlines delivered to your inbox every morning.",
            "newsletter-prompt",
        ),
        ("Enter your email address", "newsletter-prompt"),
        ("Share this article", "share-bar"),
        ("Share on Facebook", "share-bar"),
        (
            "Share this with Email Facebook Messenger Twitter Pinterest WhatsApp LinkedIn Copy this link",
            "share-bar",
        ),
        ("Facebook | Twitter | Email", "share-bar"),
        ("Read more: Why the pound fell again", "read-more"),
        ("READ MORE", "read-more"),
        ("Related Topics", "read-more"),
        ("More on this story", "read-more"),
        ("Image copyright Getty Images", "image-credit"),
        ("Image source, PA Media", "image-credit"),
        ("Photo: Reuters", "image-credit"),
        ("Getty Images", "image-credit"),
        ("AFP/Getty Images", "image-credit"),
        ("Skip to main content", "site-chrome"),
        ("Back to top", "site-chrome"),
        ("Follow us on Twitter", "site-chrome"),
        ("Updated 14:02 GMT", "timestamp"),
        ("Published 3 hours ago", "timestamp"),
        ("Published 2 Jul 2025, 7:05pm", "timestamp"),
        ("Updated 14:02 GMT, Monday 3 March 2025", "timestamp"),
        ("(Photo by John Smith/Getty Images)", "image-credit"),
        ("Pictures by Jane Doe", "image-credit"),
        ("(c) 2024 Example Media", "copyright-footer"),
        ("Follow us on Facebook, X and Instagram", "site-chrome"),
        (
            "© 2024 The Daily Example. All rights reserved.",
            "copyright-footer",
        ),
        ("Copyright 2023 Example News Ltd", "copyright-footer"),
        (
            "Terms of Use | Privacy Policy | Cookie Policy | Contact Us",
            "copyright-footer",
        ),
    ];

    /// Real prose that mentions the same topics and must stay.
    const NEAR_MISSES: &[&str] = &[
        "The regulator said the site used cookies to track visitors without consent.",
        "We use cookies sparingly, the company's chief executive told the committee.",
        "\"We use cookies to improve your experience,\" the banner claimed, but it did not say how.",
        "Users were told to update their privacy settings after the breach.",
        "She changed her privacy settings, but the photos remained visible to strangers.",
        "Privacy settings on the app were confusing, according to a survey of 2,000 users.",
        "He writes a weekly newsletter about local politics that has 40,000 subscribers.",
        "Sign-ups for the newsletter doubled after the election.",
        "Advertisement spending rose by 5% in the first quarter.",
        "Advertising revenue at the group fell sharply last year.",
        "The advertisement was banned by the watchdog for being misleading.",
        "Share prices fell after the announcement.",
        "Read more about the proposals in the council's report, which runs to 300 pages.",
        "More from the minister is expected later this week.",
        "Image copyright laws changed in 2005 to protect photographers.",
        "Pictures of the flood show the devastation in the town centre.",
        "Copyright law is changing, and the music industry is worried.",
        "Home is where the heart is, he said.",
        "Updated figures will be published next week.",
        "Cookies were handed out to the children at the end of the parade.",
        "The company will ask users to accept cookies before they can read articles.",
        "Click here to play was the only instruction on the screen, witnesses said.",
        "Facebook and Twitter shares fell on Tuesday.",
        "A post shared by the minister drew criticism from opposition MPs.",
        "Your email address may be sold to advertisers without your consent.",
        "Subscribe to the idea that markets always know best, and you will be disappointed.",
        "Please click here to see how the new system works, the leaflet urges readers.",
        "Published on Monday, the report found that waiting times had doubled since 2019.",
        "Published yesterday, the figures show the sharpest rise in rents for a decade.",
        "Photographs by the late Fay Godwin are on show at the gallery until June.",
        "Pictures by local schoolchildren now decorate the walls of the children's ward.",
        "(c) any person who knowingly supplies false information commits an offence.",
        "Follow us on a tour of the restored mill, which reopens to the public next week.",
    ];

    #[test]
    fn builtin_rules_remove_known_notices() {
        let rules = RuleSet::builtin();
        for (line, rule) in NOTICES {
            assert_eq!(
                verdict(&rules, line).as_deref(),
                Some(*rule),
                "line: {line}"
            );
        }
    }

    #[test]
    fn builtin_rules_keep_near_misses() {
        let rules = RuleSet::builtin();
        for line in NEAR_MISSES {
            assert_eq!(verdict(&rules, line), None, "near-miss removed: {line}");
            assert_eq!(rules.match_span(line), None, "near-miss trimmed: {line}");
        }
    }

    #[test]
    fn lines_longer_than_any_notice_skip_the_rules() {
        let rules = RuleSet::builtin();
        for (line, _) in NOTICES {
            assert!(line.len() < super::super::builtin::MAX_NOTICE_LEN);
        }
        let banner = "We use cookies to improve your experience on our website";
        assert!(rules.match_line(banner).is_some());
        let long = format!("{banner} {}", "and then the text goes on ".repeat(40));
        assert!(long.len() > super::super::builtin::MAX_NOTICE_LEN);
        assert_eq!(rules.match_line(&long), None);
    }

    #[test]
    fn bounded_user_rules_get_a_length_gate() {
        let mut b = RuleSetBuilder::new();
        b.builtin(false);
        b.rules_text(Path::new("r"), "sponsored by [a-z]{1,20}\nunbounded .*\n")
            .unwrap();
        let rules = b.build().unwrap();
        assert!(rules.user_lines.as_ref().unwrap().max_len.is_none());
        let mut b = RuleSetBuilder::new();
        b.builtin(false);
        b.rules_text(Path::new("r"), "sponsored by [a-z]{1,20}\n")
            .unwrap();
        let rules = b.build().unwrap();
        assert!(
            rules
                .user_lines
                .as_ref()
                .unwrap()
                .max_len
                .is_some_and(|m| m < 200)
        );
    }

    #[test]
    fn span_rules_cut_glued_artefacts() {
        let rules = RuleSet::builtin();
        let cases = [
            (
                "Media playback is unsupported on your device Media caption The minister spoke outside Downing Street",
                "The minister spoke outside Downing Street",
            ),
            (
                "Image copyright Getty Images Image caption Protesters gathered outside parliament",
                "Protesters gathered outside parliament",
            ),
        ];
        for (line, rest) in cases {
            let (_, range) = rules.match_span(line).expect(line);
            assert_eq!(&line[range.end..], rest);
            assert_eq!(range.start, 0);
        }
    }

    #[test]
    fn user_rules_name_file_and_line() {
        let mut b = RuleSetBuilder::new();
        b.builtin(false);
        b.rules_text(
            Path::new("site.rules"),
            "# comment\n\nDaily Example Homepage\nspan: ^BREAKING: \n",
        )
        .unwrap();
        let rules = b.build().unwrap();
        assert_eq!(
            verdict(&rules, "daily example homepage").as_deref(),
            Some("site.rules:3")
        );
        let (id, r) = rules.match_span("BREAKING: Storm hits coast").unwrap();
        assert_eq!(rules.name(id), "site.rules:4");
        assert_eq!(r, 0..9, "trailing blanks of a rule line are trimmed");
        assert_eq!(verdict(&rules, "Advertisement"), None, "built-ins are off");
    }

    #[test]
    fn bad_user_rule_is_a_clear_error() {
        let mut b = RuleSetBuilder::new();
        let err = b
            .rules_text(Path::new("my.rules"), "ok line\n(unclosed\n")
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("my.rules:2: bad rule:"), "{msg}");
    }
}

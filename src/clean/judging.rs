//! The per-line half of the pipeline: repair, normalise and judge each line
//! of a window, leaving one [`Record`] per line.
//!
//! Nothing here depends on other windows, so windows can be judged on
//! several threads at once, one [`Judge`] per thread (see
//! `window_threads`); what carries from window to window (repetition,
//! corpus blocks, output) happens afterwards, in order.

use super::marked_lines::{MarkedLine, marked_lines};
use super::settled::{is_settled, is_settled_typography, lone_harmless_characters};
use crate::config::Config;
use crate::judge::repeat::KeyBuild;
use crate::judge::{KeyMaker, Reason, RepeatCounter, RuleCache, RuleSet, Verdict};
use crate::normalise::{Normaliser, UnicodeForm};
use crate::profile::CorpusModel;
use crate::repair::{RepairCounts, repair_line};
use std::borrow::Cow;
use std::collections::HashMap;

/// What the judge decided for one line of the window.
#[derive(Debug, Clone, Copy)]
pub(super) struct Record {
    /// Where the judged line lies: `start..end` of the window itself when
    /// no stage changed it, else (`normalised`) of the normalised buffer
    /// it was judged with.
    pub start: u32,
    pub end: u32,
    pub normalised: bool,
    pub verdict: Verdict,
    /// Template key, for non-blank lines that survived the rules when
    /// learning or a corpus model needs it (see [`Keys`]).
    pub key: Option<u64>,
    /// The template holds words, so corpus statistics apply to it.
    pub informative: bool,
    /// For a cut line whose remainder the line stages changed (see
    /// [`Judge::judge_remainder`]): where the remainder to write lies in the
    /// normalised buffer, in place of the line's head and tail.
    pub remainder: Option<(u32, u32)>,
}

/// Lines up to this many bytes have their rule verdicts remembered.
const MEMO_MAX_LEN: usize = 256;

/// Remembered verdicts per judge; the memo starts over when full.
const MEMO_CAP: usize = 1 << 16;

/// Rounds of repair after normalisation, for mojibake that normalising
/// uncovered (each round needs a change to run again).
const MAX_REPAIR_ROUNDS: usize = 3;

/// Rounds of judging what a cut leaves: each round needs the line stages or
/// the rules to change the remainder again.
const MAX_REMAINDER_ROUNDS: usize = 4;

/// What the line stages and the rules make of what a cut leaves.
enum Remainder {
    /// Nothing: it is written as cut.
    Same,
    /// A rule removes it whole.
    Removed(Reason),
    /// It becomes this text.
    Changed(String),
}

/// Where [`Judge::judge`] leaves what it found for a window.
pub(super) struct Judged<'a> {
    /// The lines that repair or normalisation changed.
    pub normalised: &'a mut String,
    /// One record per line, in order.
    pub records: &'a mut Vec<Record>,
    /// The repetition candidates: record index, hash of the line.
    pub repeats: &'a mut Vec<(u32, u64)>,
}

/// Which kept lines get a template key.
#[derive(Clone, Copy)]
pub(super) enum Keys<'a> {
    /// None: no corpus model and no learning.
    None,
    /// Every one (learning).
    All,
    /// Those that may be lines of this corpus model: the others are no
    /// evidence of anything, and a key costs a walk over the whole line.
    Held(&'a CorpusModel),
}

/// Scratch for judging lines, reused from window to window.
#[derive(Debug)]
pub(super) struct Judge {
    keys: KeyMaker,
    rule_cache: RuleCache,
    /// Verdicts of short lines the rules removed or cut, by line hash.
    removals: HashMap<u64, Verdict, KeyBuild>,
    norm: Normaliser,
    pub repairs: RepairCounts,
    /// Lines with lone common typography may skip repair and normalising
    /// (not under `--nfkc` or `--ascii-quotes`, which change it).
    typography: bool,
}

impl Judge {
    pub fn new(config: &Config, rules: &RuleSet) -> Judge {
        Judge {
            keys: KeyMaker::new(),
            rule_cache: rules.cache(),
            removals: HashMap::default(),
            norm: Normaliser::new(config.normalise),
            repairs: RepairCounts::default(),
            typography: config.normalise.form != UnicodeForm::Nfkc
                && !config.normalise.ascii_quotes,
        }
    }

    /// Judges every line of the window `text` into `out`: one record per
    /// line, the index and exact-line hash of each repetition candidate (a
    /// fraction of the lines, so that settling repetition does not walk
    /// every record), and the lines that changed (which belong to the
    /// window, so that this judge can go on to another window while the
    /// lines wait to be written). Lines that neither repair nor
    /// normalisation could change (most lines of news text) are judged
    /// where they lie in the window, without a copy.
    pub fn judge(
        &mut self,
        text: &str,
        config: &Config,
        rules: &RuleSet,
        keys: Keys<'_>,
        out: Judged<'_>,
    ) {
        let Judged {
            normalised,
            records,
            repeats,
        } = out;
        normalised.clear();
        records.clear();
        repeats.clear();
        let repeat = &config.repeat;
        for MarkedLine {
            at,
            text: raw,
            odd,
            high,
        } in marked_lines(text)
        {
            let (line, start, moved) = if self.is_settled_marked(raw, odd, high) {
                (raw, at, false)
            } else {
                let start = normalised.len();
                self.repair_and_normalise(raw, config, normalised);
                (&normalised[start..], start, true)
            };
            let mut verdict = Verdict::Keep;
            let mut remainder = None;
            let mut key = None;
            let mut informative = false;
            if config.strip && !line.is_empty() {
                // Site chrome recurs from document to document: a short
                // line's hash finds the verdict the rules gave it before.
                let hash = (line.len() <= MEMO_MAX_LEN)
                    .then(|| xxhash_rust::xxh3::xxh3_64(line.as_bytes()));
                verdict = match hash.and_then(|h| self.removals.get(&h)) {
                    Some(&known) => known,
                    None => {
                        let fresh = judge_rules(line, rules, &mut self.rule_cache);
                        if let (Some(h), Verdict::Remove(_) | Verdict::Trim { .. }) = (hash, fresh)
                        {
                            if self.removals.len() >= MEMO_CAP {
                                self.removals.clear();
                            }
                            self.removals.insert(h, fresh);
                        }
                        fresh
                    }
                };
                let mut rest: Cow<'_, str> = match verdict {
                    Verdict::Remove(_) => Cow::Borrowed(""),
                    Verdict::Trim { start, end, .. } => cut(line, start, end),
                    Verdict::Keep => Cow::Borrowed(line),
                };
                if matches!(verdict, Verdict::Trim { .. }) {
                    match self.judge_remainder(&rest, config, rules) {
                        Remainder::Same => {}
                        Remainder::Removed(reason) => {
                            verdict = Verdict::Remove(reason);
                            rest = Cow::Borrowed("");
                        }
                        Remainder::Changed(text) => {
                            remainder = Some(text.clone());
                            rest = Cow::Owned(text);
                        }
                    }
                }
                // Repetition and corpus evidence are about what stays of
                // the line, so that a second pass over the output agrees.
                if !rest.is_empty() {
                    // In-document repetition compares exact lines: a notice
                    // copied through an article is copied verbatim, and
                    // "Paragraph 1" must not meet "Paragraph 2".
                    // A line judged where it lies and kept whole is the
                    // line the marks describe.
                    let ascii = !moved && !high && matches!(verdict, Verdict::Keep);
                    let candidate = || RepeatCounter::is_candidate_known(&rest, ascii, repeat);
                    if repeat.enabled && candidate() {
                        let hash = match (verdict, hash) {
                            (Verdict::Keep, Some(h)) => h,
                            _ => xxhash_rust::xxh3::xxh3_64(rest.as_bytes()),
                        };
                        repeats.push((records.len() as u32, hash));
                    }
                    let wanted = match keys {
                        Keys::None => false,
                        Keys::All => true,
                        Keys::Held(model) => model.may_hold(self.keys.head(&rest)),
                    };
                    if wanted {
                        key = Some(self.keys.key(&rest));
                        informative = self.keys.last_words() > 0;
                    }
                }
            }
            let end = start + line.len();
            let remainder = remainder.map(|text: String| {
                let at = normalised.len();
                normalised.push_str(&text);
                (at as u32, normalised.len() as u32)
            });
            records.push(Record {
                start: start as u32,
                end: end as u32,
                normalised: moved,
                verdict,
                key,
                informative,
                remainder,
            });
        }
    }

    /// [`Judge::is_settled`] for a line whose bytes were already marked
    /// (see `marked_lines`): the vectorised byte test is not run again.
    fn is_settled_marked(&self, line: &str, odd: bool, high: bool) -> bool {
        let b = line.as_bytes();
        if odd || b.first() == Some(&b' ') || b.last() == Some(&b' ') {
            return false;
        }
        !high || (self.typography && lone_harmless_characters(line))
    }

    /// True for a line that repair and normalisation would leave as it is
    /// (see `settled`), so it is judged where it lies.
    fn is_settled(&self, line: &str) -> bool {
        is_settled(line.as_bytes()) || (self.typography && is_settled_typography(line))
    }

    /// Judges what a cut leaves as a line of its own, as a second pass over
    /// the output would: repair reads some mojibake by its context ("Ã " at
    /// the start of a line is a mangled "à "), and a rule may match the
    /// remainder or the join of head and tail. Repeats until neither the
    /// line stages nor the rules change it (at most
    /// [`MAX_REMAINDER_ROUNDS`] rounds).
    fn judge_remainder(&mut self, rest: &str, config: &Config, rules: &RuleSet) -> Remainder {
        let mut current: Option<String> = None;
        let mut staged = String::new();
        for _ in 0..MAX_REMAINDER_ROUNDS {
            let text = current.as_deref().unwrap_or(rest);
            staged.clear();
            let settled = self.is_settled(text);
            if !settled {
                self.repair_and_normalise(text, config, &mut staged);
            }
            let restaged = !settled && staged != text;
            let text = if restaged { staged.as_str() } else { text };
            if text.is_empty() {
                return Remainder::Changed(String::new());
            }
            match judge_rules(text, rules, &mut self.rule_cache) {
                Verdict::Keep => {
                    if restaged {
                        current = Some(staged);
                    }
                    break;
                }
                Verdict::Remove(reason) => return Remainder::Removed(reason),
                Verdict::Trim { start, end, .. } => {
                    current = Some(cut(text, start, end).into_owned());
                }
            }
        }
        current.map_or(Remainder::Same, Remainder::Changed)
    }

    /// Repairs one line and appends its normalised form to `normalised`.
    fn repair_and_normalise(&mut self, raw: &str, config: &Config, normalised: &mut String) {
        let start = normalised.len();
        let repaired = repair_line(raw, &config.repair, &mut self.repairs);
        let changed = self.norm.normalise_into(&repaired, normalised);
        // Normalising can finish what repair could not see: dropping a
        // control character or a zero-width space inside mojibake, or
        // straightening a quote, can leave a sequence that repair now
        // fixes. Repeat until neither changes the line, so that a second
        // run over the output changes nothing.
        if changed {
            for _ in 0..MAX_REPAIR_ROUNDS {
                let fixed =
                    match repair_line(&normalised[start..], &config.repair, &mut self.repairs) {
                        Cow::Borrowed(_) => break,
                        Cow::Owned(fixed) => fixed,
                    };
                normalised.truncate(start);
                self.norm.normalise_into(&fixed, normalised);
            }
        }
    }
}

/// The head and tail that stay of `line` when bytes `start..end` are cut,
/// without the spaces at the cut.
pub(super) fn cut_parts(line: &str, start: u32, end: u32) -> (&str, &str) {
    let head = line[..start as usize].trim_end();
    let tail = line[end as usize..].trim_start();
    (head, tail)
}

/// What stays of `line` when bytes `start..end` are cut: head and tail
/// joined by one space.
fn cut(line: &str, start: u32, end: u32) -> Cow<'_, str> {
    let (head, tail) = cut_parts(line, start, end);
    match (head.is_empty(), tail.is_empty()) {
        (true, _) => Cow::Borrowed(tail),
        (_, true) => Cow::Borrowed(head),
        _ => Cow::Owned(format!("{head} {tail}")),
    }
}

/// The rules' verdict on one normalised line. A span cut at the start of
/// the line is repeated while another span rule matches the new start, and
/// what remains is judged as a whole line again, so that cleaning the output
/// a second time changes nothing.
fn judge_rules(line: &str, rules: &RuleSet, cache: &mut RuleCache) -> Verdict {
    if let Some(id) = rules.match_line_in(cache, line) {
        return Verdict::Remove(Reason::Rule(id));
    }
    let Some((id, range)) = rules.match_span_in(cache, line) else {
        return Verdict::Keep;
    };
    let (start, mut end) = (range.start, range.end);
    if start == 0 {
        loop {
            let rest = line[end..].trim_start();
            if rest.is_empty() {
                return Verdict::Remove(Reason::Rule(id));
            }
            if let Some(whole) = rules.match_line_in(cache, rest) {
                return Verdict::Remove(Reason::Rule(whole));
            }
            let rest_at = line.len() - rest.len();
            match rules.match_span_in(cache, rest) {
                Some((_, r)) if r.start == 0 && r.end > 0 => end = rest_at + r.end,
                _ => break,
            }
        }
    }
    Verdict::Trim {
        reason: Reason::Rule(id),
        start: start as u32,
        end: end as u32,
    }
}

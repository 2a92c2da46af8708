//! The pipeline: one document's bytes in, clean text out.
//!
//! [`Cleaner`] holds what every thread shares read-only: the [`Config`] and
//! the compiled [`RuleSet`]. A [`Worker`] holds what one thread reuses from
//! document to document: the line buffer, the normalised window, the line
//! records, the repetition table and the output buffer, all cleared and
//! kept between documents, so a steady-state run allocates almost nothing.
//!
//! A document flows one way: read → decode → split into windows → repair →
//! normalise each line → judge → write. Normalising before judging is
//! deliberate: rules then match canonical text (one space between words,
//! NFC), which is exactly what makes them whitespace- and Unicode-tolerant
//! and lets the judge skip lines by length. Output leaves window by window,
//! so standard input streams in bounded memory.

use crate::config::Config;
use crate::decode::{DecodeReport, DecodingReader};
use crate::error::{Error, Result};
use crate::judge::repeat::KeyBuild;
use crate::judge::{KeyMaker, Reason, RepeatCounter, RuleCache, RuleSet, Verdict};
use crate::lines::{LineBuffer, split_lines};
use crate::normalise::Normaliser;
use crate::profile::{CorpusModel, DocLearner, LearnOptions, ProfileBuilder};
use crate::repair::{RepairCounts, repair_line};
use crate::stats::Stats;
use crate::write::Assembler;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// One removed line or span, as `--explain` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Removal<'a> {
    /// 1-based line number in the decoded document.
    pub line: u64,
    /// Rule name or `repeated-in-document`.
    pub reason: &'a str,
    /// The removed text (the whole normalised line, or the span).
    pub text: &'a str,
    /// True when only a span of the line was cut.
    pub span: bool,
}

/// The shared, read-only half of the pipeline.
#[derive(Debug, Clone)]
pub struct Cleaner {
    config: Arc<Config>,
    rules: Arc<RuleSet>,
    corpus: Option<Arc<CorpusModel>>,
    learn: LearnOptions,
}

impl Cleaner {
    /// A cleaner with these options and rules.
    pub fn new(config: Config, rules: RuleSet) -> Cleaner {
        Cleaner {
            config: Arc::new(config),
            rules: Arc::new(rules),
            corpus: None,
            learn: LearnOptions::default(),
        }
    }

    /// The same cleaner, also removing the corpus boilerplate of `model`.
    pub fn with_corpus(mut self, model: CorpusModel) -> Cleaner {
        self.corpus = Some(Arc::new(model));
        self
    }

    /// The corpus model in use, if any.
    pub fn corpus(&self) -> Option<&CorpusModel> {
        self.corpus.as_deref()
    }

    /// Options used when learning a profile.
    pub fn learn_options(&self) -> LearnOptions {
        self.learn
    }

    /// A fingerprint of everything that shapes what is learned: profiles
    /// learned under different fingerprints do not merge.
    pub fn learn_fingerprint(&self) -> u64 {
        let c = &self.config;
        let mut desc = format!(
            "decruft-learn-v1;edge={};prose={};strip={};repeat={}/{}/{}/{};form={:?};quotes={};repair={:?}",
            self.learn.edge_lines,
            self.learn.prose_words,
            c.strip,
            c.repeat.enabled,
            c.repeat.min_count,
            c.repeat.max_chars,
            c.repeat.max_words,
            c.normalise.form,
            c.normalise.ascii_quotes,
            c.repair,
        );
        for rule in self.rules.rules() {
            desc.push_str(&format!(";{}:{:?}:{}", rule.name, rule.kind, rule.pattern));
        }
        xxhash_rust::xxh3::xxh3_64(desc.as_bytes())
    }

    /// Default options and the built-in rules.
    pub fn with_defaults() -> Cleaner {
        Cleaner::new(Config::default(), RuleSet::builtin())
    }

    /// The options.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Per-thread scratch for this cleaner.
    pub fn worker(&self) -> Worker {
        Worker::new(self.clone())
    }

    /// Cleans one in-memory document.
    ///
    /// ```
    /// let cleaner = decruft::Cleaner::with_defaults();
    /// let dirty = "Storm hits coast\n\nAdvertisement\n\nHomes   were flooded.\r\n";
    /// assert_eq!(cleaner.clean_str(dirty), "Storm hits coast\n\nHomes were flooded.\n");
    /// ```
    pub fn clean_str(&self, text: &str) -> String {
        let mut out = Vec::with_capacity(text.len());
        self.worker()
            .clean(text.as_bytes(), &mut out, None)
            .expect("in-memory cleaning cannot fail on I/O");
        String::from_utf8(out).expect("output is UTF-8")
    }
}

/// What the judge decided for one line of the window.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// Where the judged line lies: in the window itself when no stage
    /// changed it (`raw`), else in the normalised buffer.
    start: u32,
    end: u32,
    raw: bool,
    verdict: Verdict,
    /// Template key, for non-blank lines that survived the rules when
    /// repetition, a corpus model or learning needs it.
    key: Option<u64>,
    /// Hash of the exact line, for a repetition candidate.
    repeat: Option<u64>,
    /// The template holds words, so corpus statistics apply to it.
    informative: bool,
}

/// Counts raw bytes as they are read.
struct Counting<'a, R> {
    inner: R,
    count: &'a mut u64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.count += n as u64;
        Ok(n)
    }
}

/// Per-thread scratch: buffers and tables reused for every document.
#[derive(Debug)]
pub struct Worker {
    cleaner: Cleaner,
    lines: LineBuffer,
    state: WindowState,
}

/// Everything but the line buffer, so a window borrowed from the buffer can
/// be processed while the rest is mutated.
#[derive(Debug)]
struct WindowState {
    normalised: String,
    records: Vec<Record>,
    repeat: RepeatCounter,
    keys: KeyMaker,
    rule_cache: RuleCache,
    /// Verdicts of short lines the rules removed or cut, by line hash.
    removals: HashMap<u64, Verdict, KeyBuild>,
    norm: Normaliser,
    out: String,
    assembler: Assembler,
    /// Whole-line removals per rule id, then repetition, then corpus.
    removed: Vec<u64>,
    /// Span cuts per rule id.
    cut: Vec<u64>,
    lines_in: u64,
    lines_kept: u64,
    repairs: RepairCounts,
    learner: DocLearner,
    /// Keys are needed for every kept line while learning.
    learning: bool,
    corpus_verdicts: Vec<Option<u32>>,
}

impl Worker {
    fn new(cleaner: Cleaner) -> Worker {
        let config = cleaner.config();
        let n_rules = cleaner.rules().len();
        Worker {
            lines: LineBuffer::new(config.window, config.max_line),
            state: WindowState {
                normalised: String::new(),
                records: Vec::new(),
                repeat: RepeatCounter::default(),
                keys: KeyMaker::new(),
                rule_cache: cleaner.rules().cache(),
                removals: HashMap::default(),
                norm: Normaliser::new(config.normalise),
                out: String::new(),
                assembler: Assembler::default(),
                removed: vec![0; n_rules + 2],
                cut: vec![0; n_rules + 2],
                lines_in: 0,
                lines_kept: 0,
                repairs: RepairCounts::default(),
                learner: DocLearner::new(cleaner.learn),
                learning: false,
                corpus_verdicts: Vec::new(),
            },
            cleaner,
        }
    }

    /// Cleans one document from `input` into `output`, calling `explain`
    /// for every removal when given. Returns the document's statistics.
    pub fn clean<R: Read, W: Write + ?Sized>(
        &mut self,
        input: R,
        output: &mut W,
        mut explain: Option<&mut dyn FnMut(&Removal<'_>)>,
    ) -> Result<Stats> {
        self.run(input, |state, text, cleaner| {
            state.write_window(text, cleaner, &mut explain);
            output.write_all(state.out.as_bytes())?;
            output.flush()?;
            Ok(state.out.len() as u64)
        })
    }

    /// Learns one document into `builder`: the same stages as [`clean`],
    /// up to and including the rules and in-document repetition (so lines
    /// removed by them never count as corpus lines). Nothing is written; a
    /// document that fails adds nothing.
    ///
    /// [`clean`]: Worker::clean
    pub fn learn<R: Read>(&mut self, input: R, builder: &mut ProfileBuilder) -> Result<Stats> {
        self.state.learner.start();
        self.state.learning = true;
        let result = self.run(input, |state, _, _| {
            for i in 0..state.records.len() {
                let rec = state.records[i];
                if let (true, Some(key), Verdict::Keep | Verdict::Trim { .. }) =
                    (rec.informative, rec.key, rec.verdict)
                {
                    state.learner.line(key);
                }
            }
            Ok(0)
        });
        self.state.learning = false;
        let stats = result?;
        self.state.learner.finish(builder);
        Ok(stats)
    }

    /// Calls `f` with the key and text of every line that survives the
    /// rules and repetition (used to show learned lines to users).
    pub fn visit<R: Read>(&mut self, input: R, mut f: impl FnMut(u64, &str)) -> Result<Stats> {
        self.state.learning = true;
        let result = self.run(input, |state, text, _| {
            for rec in &state.records {
                if let (Some(key), Verdict::Keep) = (rec.key, rec.verdict) {
                    f(key, state.line(text, rec));
                }
            }
            Ok(0)
        });
        self.state.learning = false;
        result
    }

    /// Drives one document through read → decode → split → repair →
    /// normalise → judge, handing each judged window to `sink`, which
    /// returns the bytes it wrote.
    fn run<R: Read>(
        &mut self,
        input: R,
        mut sink: impl FnMut(&mut WindowState, &str, &Cleaner) -> Result<u64>,
    ) -> Result<Stats> {
        let cleaner = self.cleaner.clone();
        let config = &*cleaner.config;
        let rules = &*cleaner.rules;
        let needs_keys = cleaner.corpus.is_some();
        self.lines.reset();
        self.state.start_document();
        let mut bytes_in = 0u64;
        let mut decoder = DecodingReader::new(
            Counting {
                inner: input,
                count: &mut bytes_in,
            },
            &config.decode,
        )?;
        let mut bytes_out = 0u64;
        let mut first = true;
        while let Some(window) = self.lines.next_window(&mut decoder)? {
            if first {
                if let Some(at) = memchr::memchr(0, window) {
                    return Err(Error::Binary { offset: at as u64 });
                }
                first = false;
            }
            // The decoder yields UTF-8; validation is the cheap safety net.
            let text = match simdutf8::basic::from_utf8(window) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(window),
            };
            let state = &mut self.state;
            state.out.clear();
            state.judge_window(&text, config, rules, needs_keys);
            state.settle(&text, &cleaner);
            bytes_out += sink(state, &text, &cleaner)?;
        }
        let report = decoder.report();
        drop(decoder);
        Ok(self.state.finish(rules, report, bytes_in, bytes_out))
    }
}

/// True for a line that no stage before the judge would change: printable
/// ASCII with single inner spaces, no space at either end, and no `&` or
/// `<` for repair to look at. Every line of the input passes through here,
/// so on x86-64 it runs 16 bytes per step in SSE2 (part of the x86-64
/// baseline, no detection needed); elsewhere byte by byte.
fn is_settled(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    if first == b' ' || last == b' ' {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if b.len() > 16 {
        return sse2::settled(b);
    }
    let pairs = b.iter().zip(&b[1..]);
    pairs.fold(odd(last, 0), |f, (&c, &next)| f | odd(c, next)) == 0
}

/// Non-zero when byte `c`, followed by `next`, keeps a line from being
/// settled.
#[inline(always)]
fn odd(c: u8, next: u8) -> u8 {
    u8::from(c.wrapping_sub(0x20) >= 0x5f)
        | u8::from(c == b'&')
        | u8::from(c == b'<')
        | (u8::from(c == b' ') & u8::from(next == b' '))
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// [`super::is_settled`] for lines longer than 16 bytes.
    pub(super) fn settled(b: &[u8]) -> bool {
        debug_assert!(b.len() > 16);
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU
        // has it, and the compiler enables it for every x86-64 target.
        unsafe { settled_sse2(b) }
    }

    #[target_feature(enable = "sse2")]
    fn settled_sse2(b: &[u8]) -> bool {
        let n = b.len();
        let last = n - 17;
        let mut bad = _mm_setzero_si128();
        let mut at = 0;
        // Each step tests bytes at..at+16 against their successors; the
        // last step overlaps the one before rather than going byte by byte.
        loop {
            let now = at.min(last);
            bad = _mm_or_si128(bad, step(load(&b[now..]), load(&b[now + 1..])));
            if now == last {
                break;
            }
            at += 16;
        }
        _mm_movemask_epi8(bad) == 0 && super::odd(b[n - 1], 0) == 0
    }

    /// The first 16 bytes of `b`.
    #[target_feature(enable = "sse2")]
    fn load(b: &[u8]) -> __m128i {
        let lanes: &[u8; 16] = b[..16].try_into().expect("16 bytes");
        // SAFETY: `lanes` is 16 readable bytes; the load is unaligned.
        unsafe { _mm_loadu_si128(lanes.as_ptr().cast()) }
    }

    /// 0xFF in each lane whose byte is odd (see [`super::odd`]).
    #[target_feature(enable = "sse2")]
    fn step(here: __m128i, next: __m128i) -> __m128i {
        let space = _mm_set1_epi8(b' ' as i8);
        // Printable ASCII 0x20..=0x7E moves to -128..=-34 when 0x60 is
        // added with wrap-around; everything else lands above -34.
        let shifted = _mm_add_epi8(here, _mm_set1_epi8(0x60));
        let unprintable = _mm_cmpgt_epi8(shifted, _mm_set1_epi8(-34));
        let amp = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'&' as i8));
        let lt = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'<' as i8));
        let double = _mm_and_si128(_mm_cmpeq_epi8(here, space), _mm_cmpeq_epi8(next, space));
        _mm_or_si128(_mm_or_si128(unprintable, amp), _mm_or_si128(lt, double))
    }
}

/// Lines up to this many bytes have their rule verdicts remembered.
const MEMO_MAX_LEN: usize = 256;

/// Remembered verdicts per worker; the memo starts over when full.
const MEMO_CAP: usize = 1 << 16;

/// Rounds of repair after normalisation, for mojibake that normalising
/// uncovered (each round needs a change to run again).
const MAX_REPAIR_ROUNDS: usize = 3;

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

impl WindowState {
    fn start_document(&mut self) {
        self.repeat.reset();
        self.assembler.reset();
        self.removed.iter_mut().for_each(|n| *n = 0);
        self.cut.iter_mut().for_each(|n| *n = 0);
        self.lines_in = 0;
        self.lines_kept = 0;
        self.repairs = RepairCounts::default();
    }

    /// The judged text of a line of this window.
    fn line<'t>(&'t self, text: &'t str, rec: &Record) -> &'t str {
        let range = rec.start as usize..rec.end as usize;
        if rec.raw {
            &text[range]
        } else {
            &self.normalised[range]
        }
    }

    /// First pass: repair and normalise every line and judge it by the
    /// rules; count repetition candidates. Lines that neither stage could
    /// change (most lines of news text) are judged where they lie in the
    /// window, without a copy.
    fn judge_window(&mut self, text: &str, config: &Config, rules: &RuleSet, needs_keys: bool) {
        self.normalised.clear();
        self.records.clear();
        let repeat = &config.repeat;
        for (at, raw) in split_lines(text) {
            let (line, start, is_raw) = if is_settled(raw.as_bytes()) {
                (raw, at, true)
            } else {
                let start = self.normalised.len();
                self.repair_and_normalise(raw, config);
                (&self.normalised[start..], start, false)
            };
            let mut verdict = Verdict::Keep;
            let mut key = None;
            let mut repeat_hash = None;
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
                let rest: Cow<'_, str> = match verdict {
                    Verdict::Remove(_) => Cow::Borrowed(""),
                    Verdict::Trim { start, end, .. } => {
                        let (head, tail) = (
                            line[..start as usize].trim_end(),
                            line[end as usize..].trim_start(),
                        );
                        match (head.is_empty(), tail.is_empty()) {
                            (true, _) => Cow::Borrowed(tail),
                            (_, true) => Cow::Borrowed(head),
                            _ => Cow::Owned(format!("{head} {tail}")),
                        }
                    }
                    Verdict::Keep => Cow::Borrowed(line),
                };
                // Repetition and corpus evidence are about what stays of
                // the line, so that a second pass over the output agrees.
                if !rest.is_empty() {
                    // In-document repetition compares exact lines: a notice
                    // copied through an article is copied verbatim, and
                    // "Paragraph 1" must not meet "Paragraph 2".
                    if repeat.enabled && RepeatCounter::is_candidate(&rest, repeat) {
                        let h = match (verdict, hash) {
                            (Verdict::Keep, Some(h)) => h,
                            _ => xxhash_rust::xxh3::xxh3_64(rest.as_bytes()),
                        };
                        self.repeat.add(h);
                        repeat_hash = Some(h);
                    }
                    if needs_keys || self.learning {
                        key = Some(self.keys.key(&rest));
                        informative = self.keys.last_words() > 0;
                    }
                }
            }
            self.records.push(Record {
                start: start as u32,
                end: (start + line.len()) as u32,
                raw: is_raw,
                verdict,
                key,
                repeat: repeat_hash,
                informative,
            });
        }
        self.lines_in += self.records.len() as u64;
    }

    /// Repairs one line and appends its normalised form to `normalised`.
    fn repair_and_normalise(&mut self, raw: &str, config: &Config) {
        let start = self.normalised.len();
        let repaired = repair_line(raw, &config.repair, &mut self.repairs);
        let changed = self.norm.normalise_into(&repaired, &mut self.normalised);
        // Normalising can finish what repair could not see: dropping a
        // control character or a zero-width space inside mojibake, or
        // straightening a quote, can leave a sequence that repair now
        // fixes. Repeat until neither changes the line, so that a second
        // run over the output changes nothing.
        if changed {
            for _ in 0..MAX_REPAIR_ROUNDS {
                let fixed =
                    match repair_line(&self.normalised[start..], &config.repair, &mut self.repairs)
                    {
                        Cow::Borrowed(_) => break,
                        Cow::Owned(fixed) => fixed,
                    };
                self.normalised.truncate(start);
                self.norm.normalise_into(&fixed, &mut self.normalised);
            }
        }
    }

    /// Second pass: settles in-document repetition (now that the whole
    /// window is counted), then corpus boilerplate, which is judged over
    /// runs of kept lines (see [`crate::profile`]).
    fn settle(&mut self, text: &str, cleaner: &Cleaner) {
        let config = &cleaner.config;
        for rec in &mut self.records {
            if let Some(hash) = rec.repeat
                && self.repeat.is_repeated(hash, &config.repeat)
            {
                rec.verdict = Verdict::Remove(Reason::Repeated);
            }
        }
        self.repeat.end_window(&config.repeat);
        let Some(model) = cleaner.corpus.as_deref() else {
            return;
        };
        let mut kept: Vec<(Option<u64>, &str)> = Vec::new();
        let mut index = Vec::new();
        for (i, rec) in self.records.iter().enumerate() {
            if rec.start == rec.end || matches!(rec.verdict, Verdict::Remove(_)) {
                continue;
            }
            let key = rec.key.filter(|_| rec.informative);
            let range = rec.start as usize..rec.end as usize;
            let line = if rec.raw {
                &text[range]
            } else {
                &self.normalised[range]
            };
            kept.push((key, line));
            index.push(i);
        }
        let mut verdicts = std::mem::take(&mut self.corpus_verdicts);
        model.judge_lines(&kept, cleaner.learn.prose_words as usize, &mut verdicts);
        for (&i, verdict) in index.iter().zip(&verdicts) {
            if let Some(docs) = verdict {
                self.records[i].verdict = Verdict::Remove(Reason::Corpus(*docs));
            }
        }
        self.corpus_verdicts = verdicts;
    }

    /// Writes the kept lines of a settled window and reports removed ones.
    fn write_window(
        &mut self,
        text: &str,
        cleaner: &Cleaner,
        explain: &mut Option<&mut dyn FnMut(&Removal<'_>)>,
    ) {
        let rules = &*cleaner.rules;
        let first_line = self.lines_in - self.records.len() as u64 + 1;
        for (i, rec) in self.records.iter().enumerate() {
            let range = rec.start as usize..rec.end as usize;
            let line = if rec.raw {
                &text[range]
            } else {
                &self.normalised[range]
            };
            let (reason, text, span) = match rec.verdict {
                Verdict::Keep => {
                    self.lines_kept += u64::from(!line.is_empty());
                    self.assembler.line(line, &mut self.out);
                    continue;
                }
                Verdict::Remove(reason) => {
                    let n = self.removed.len();
                    let slot = match reason {
                        Reason::Rule(id) => id as usize,
                        Reason::Repeated => n - 2,
                        Reason::Corpus(_) => n - 1,
                    };
                    self.removed[slot] += 1;
                    (reason, line, false)
                }
                Verdict::Trim { reason, start, end } => {
                    let (start, end) = (start as usize, end as usize);
                    let head = line[..start].trim_end();
                    let tail = line[end..].trim_start();
                    self.lines_kept += 1;
                    self.assembler.line_parts(head, tail, &mut self.out);
                    if let Reason::Rule(id) = reason {
                        self.cut[id as usize] += 1;
                    }
                    (reason, &line[start..end], true)
                }
            };
            if let Some(explain) = explain.as_mut() {
                explain(&Removal {
                    line: first_line + i as u64,
                    reason: &reason.name(rules),
                    text: text.trim(),
                    span,
                });
            }
        }
    }

    fn finish(
        &self,
        rules: &RuleSet,
        report: DecodeReport,
        bytes_in: u64,
        bytes_out: u64,
    ) -> Stats {
        let mut stats = Stats {
            files: 1,
            bytes_in,
            bytes_out,
            lines_in: self.lines_in,
            lines_kept: self.lines_kept,
            replacement_chars: report.replacements,
            lossy_files: u64::from(report.replacements > 0),
            mojibake_repaired: self.repairs.mojibake,
            entities_decoded: self.repairs.entities,
            tags_removed: self.repairs.tags,
            ..Stats::default()
        };
        let n = self.removed.len();
        let name = |slot: usize| {
            if slot == n - 2 {
                crate::judge::REPEATED.to_string()
            } else if slot == n - 1 {
                crate::judge::CORPUS.to_string()
            } else {
                rules.name(slot as u16).to_string()
            }
        };
        for (slot, &n) in self.removed.iter().enumerate() {
            if n > 0 {
                *stats.lines_removed.entry(name(slot)).or_insert(0) += n;
            }
        }
        for (slot, &n) in self.cut.iter().enumerate() {
            if n > 0 {
                *stats.spans_removed.entry(name(slot)).or_insert(0) += n;
            }
        }
        stats.encodings.insert(
            format!("{} ({})", report.encoding.name(), report.source.as_str()),
            1,
        );
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, byte by byte.
    fn settled_by_definition(b: &[u8]) -> bool {
        b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && b.iter()
                .all(|&c| (0x20..0x7f).contains(&c) && c != b'&' && c != b'<')
            && !b.windows(2).any(|w| w == b"  ")
    }

    #[test]
    fn settled_lines() {
        assert!(is_settled(b""));
        assert!(is_settled(
            b"The Inter-American Development Bank said regional exports rose."
        ));
        for bad in [
            " leading space in a line that is long enough",
            "trailing space in a line that is long enough ",
            "a double  space in a line that is long enough",
            "an ampersand: M&S in a line that is long enough",
            "a tag <br> in a line that is long enough",
            "a tab\tin a line that is long enough",
            "a pound sign £5 in a line that is long enough",
            "long enough line whose very last byte is DEL\u{7f}",
        ] {
            assert!(!is_settled(bad.as_bytes()), "{bad:?}");
        }
    }

    proptest! {
        /// The vectorised test agrees with the definition on lines of every
        /// length, from bytes that sit on each side of every boundary.
        #[test]
        fn settled_agrees_with_definition(
            line in proptest::collection::vec(
                prop_oneof![
                    8 => 0x61u8..0x7b,
                    2 => Just(b' '),
                    1 => prop::sample::select(vec![0x1f, 0x20, 0x21, 0x26, 0x3c, 0x7e, 0x7f, 0x80, 0xc3, 0xff]),
                ],
                0..80,
            )
        ) {
            prop_assert_eq!(is_settled(&line), settled_by_definition(&line), "{:?}", line);
        }
    }
}

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
//!
//! With a thread pool, a document of several windows is judged a whole
//! window per thread at a time (see `window_threads`): this thread reads
//! ahead and writes, every thread judges, and windows are settled one at a
//! time in order, so output and statistics do not change.

mod judging;
pub mod marked_lines;
mod settled;
mod window_threads;

use crate::config::Config;
use crate::decode::{DecodeReport, DecodingReader};
use crate::error::{Error, Result};
use crate::judge::{Reason, RepeatCounter, RuleSet, Verdict};
use crate::lines::LineBuffer;
use crate::profile::{CorpusModel, DocLearner, HeldLine, LearnOptions, ProfileBuilder};
use crate::repair::RepairCounts;
use crate::stats::Stats;
use crate::write::{Assembler, SourceRun};
use judging::{Judge, Judged, Keys, Record, cut_parts};
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
    /// Threads that share the judging of windows, when given.
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Cleaner {
    /// A cleaner with these options and rules.
    pub fn new(config: Config, rules: RuleSet) -> Cleaner {
        Cleaner {
            config: Arc::new(config),
            rules: Arc::new(rules),
            corpus: None,
            learn: LearnOptions::default(),
            pool: None,
        }
    }

    /// The same cleaner, judging the windows of a document of several
    /// windows on the threads of `pool` (up to eight) while the calling
    /// thread reads ahead and writes. Output is unchanged; a single large
    /// input then uses every core.
    /// Without a pool everything runs on the calling thread, and rayon's
    /// global pool is never touched.
    pub fn with_window_threads(mut self, pool: Arc<rayon::ThreadPool>) -> Cleaner {
        self.pool = Some(pool);
        self
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
    /// One judge per thread that judges windows: the first for the calling
    /// thread, the others for helpers on the pool.
    judges: Vec<Judge>,
    /// Window buffers not in use, kept for the next window.
    windows: Vec<Window>,
    state: WindowState,
    learner: DocLearner,
    /// Keys are needed for every kept line while learning.
    learning: bool,
}

/// One window of a document: its decoded text, what judging found, and its
/// output.
#[derive(Debug, Default)]
struct Window {
    text: WindowText,
    /// One record per line, in order.
    records: Vec<Record>,
    /// The repetition candidates among them: record index, line hash.
    repeats: Vec<(u32, u64)>,
    /// The lines that repair or normalisation changed.
    normalised: String,
    /// The kept lines, assembled (when cleaning).
    out: String,
    /// The number of its first line in the document, from 1.
    first_line: u64,
    /// The document's assembly state at the window's first line, set when
    /// the window is settled, so that its output can be built afterwards
    /// on any thread.
    assembler: Assembler,
}

/// A window's decoded text, in the buffer it was read into.
#[derive(Debug, Default)]
struct WindowText {
    /// The window is `bytes[..len]`, valid UTF-8 unless `lossy` holds it.
    /// The buffer is longer: it keeps its size from window to window.
    bytes: Vec<u8>,
    len: usize,
    /// The window with invalid sequences replaced, when there were any.
    lossy: Option<String>,
    /// `bytes[..len]` were checked since they were read.
    validated: bool,
}

impl WindowText {
    /// Checks that the window is UTF-8. The decoder yields UTF-8, so this
    /// is the cheap safety net under [`as_str`](WindowText::as_str); it
    /// runs on the thread that judges the window, not on the one reading.
    fn validate(&mut self) {
        let bytes = &self.bytes[..self.len];
        self.lossy = match simdutf8::basic::from_utf8(bytes) {
            Ok(_) => None,
            Err(_) => Some(String::from_utf8_lossy(bytes).into_owned()),
        };
        self.validated = true;
    }

    fn as_str(&self) -> &str {
        assert!(self.validated, "window text used before validation");
        match &self.lossy {
            Some(text) => text,
            // SAFETY: `validate` checked these bytes since they were read
            // (asserted above), or set `lossy`.
            None => unsafe { std::str::from_utf8_unchecked(&self.bytes[..self.len]) },
        }
    }
}

/// The judged text of `rec`, a record of the window with this text and
/// normalised lines.
#[inline]
fn line_of<'a>(text: &'a str, normalised: &'a str, rec: &Record) -> &'a str {
    let range = rec.start as usize..rec.end as usize;
    if rec.normalised {
        &normalised[range]
    } else {
        &text[range]
    }
}

impl Window {
    /// The line records in order, each with its judged text.
    fn lines(&self) -> impl Iterator<Item = (&Record, &str)> {
        let text = self.text.as_str();
        (self.records.iter()).map(move |rec| (rec, line_of(text, &self.normalised, rec)))
    }
}

/// What carries from window to window of one document, in order:
/// repetition, the output's blank-line state and counts. Apart from the
/// judges, so that any thread can settle a window it judged.
#[derive(Debug)]
struct WindowState {
    repeat: RepeatCounter,
    assembler: Assembler,
    /// Whole-line removals per rule id, then repetition, then corpus.
    removed: Vec<u64>,
    /// Span cuts per rule id.
    cut: Vec<u64>,
    lines_in: u64,
    lines_kept: u64,
    corpus_verdicts: Vec<Option<u32>>,
}

/// Windows read ahead beyond one per thread judging a document's windows.
/// With none to spare, a thread that settled its window waits while the
/// next one is read; with two, `-j2` ran 6 % faster than with one on 1 GB of
/// news. Output lags input by at most the windows in flight: the calling
/// thread writes only between reads, and a read from a pipe may wait.
const READ_AHEAD: usize = 2;

/// Threads that judge the windows of one document, at most. Reading stays
/// on the calling thread (about a third of the work on plain news, a sixth
/// on dirty news), so past a few threads more only hold more windows in
/// flight.
const MAX_WINDOW_THREADS: usize = 8;

impl Worker {
    fn new(cleaner: Cleaner) -> Worker {
        let config = cleaner.config();
        let n_rules = cleaner.rules().len();
        let threads = (cleaner.pool.as_ref())
            .map_or(1, |p| p.current_num_threads())
            .min(MAX_WINDOW_THREADS);
        Worker {
            lines: LineBuffer::new(config.window, config.max_line),
            judges: (0..threads.max(1))
                .map(|_| Judge::new(config, cleaner.rules()))
                .collect(),
            windows: Vec::new(),
            state: WindowState {
                repeat: RepeatCounter::default(),
                assembler: Assembler::default(),
                removed: vec![0; n_rules + 2],
                cut: vec![0; n_rules + 2],
                lines_in: 0,
                lines_kept: 0,
                corpus_verdicts: Vec::new(),
            },
            learner: DocLearner::new(cleaner.learn),
            learning: false,
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
        let rules = self.cleaner.rules.clone();
        self.run(input, true, &mut |window| {
            if let Some(explain) = explain.as_mut() {
                report_removals(window, &rules, explain);
            }
            output.write_all(window.out.as_bytes())?;
            output.flush()?;
            Ok(window.out.len() as u64)
        })
    }

    /// Learns one document into `builder`: the same stages as [`clean`],
    /// up to and including the rules and in-document repetition (so lines
    /// removed by them never count as corpus lines). Nothing is written; a
    /// document that fails adds nothing.
    ///
    /// [`clean`]: Worker::clean
    pub fn learn<R: Read>(&mut self, input: R, builder: &mut ProfileBuilder) -> Result<Stats> {
        let mut learner = std::mem::take(&mut self.learner);
        learner.start();
        self.learning = true;
        let result = self.run(input, false, &mut |window| {
            for rec in &window.records {
                if let (true, Some(key), Verdict::Keep | Verdict::Trim { .. }) =
                    (rec.informative, rec.key, rec.verdict)
                {
                    learner.line(key);
                }
            }
            Ok(0)
        });
        self.learning = false;
        if result.is_ok() {
            learner.finish(builder);
        }
        self.learner = learner;
        result
    }

    /// Calls `f` with the key and text of every line that survives the
    /// rules and repetition (used to show learned lines to users).
    pub fn visit<R: Read>(&mut self, input: R, mut f: impl FnMut(u64, &str)) -> Result<Stats> {
        self.learning = true;
        let result = self.run(input, false, &mut |window| {
            for (rec, line) in window.lines() {
                if let (Some(key), Verdict::Keep) = (rec.key, rec.verdict) {
                    f(key, line);
                }
            }
            Ok(0)
        });
        self.learning = false;
        result
    }

    /// Drives one document through read → decode → split → repair →
    /// normalise → judge → settle (and, with `assemble`, assemble the
    /// output), handing each settled window in order to `sink`, which
    /// returns the bytes it wrote.
    ///
    /// With window threads and more than one window, windows are judged
    /// and settled on every thread at once (see `window_threads`), while
    /// this thread reads ahead and hands settled windows to `sink`.
    fn run<R: Read>(
        &mut self,
        input: R,
        assemble: bool,
        sink: &mut dyn FnMut(&Window) -> Result<u64>,
    ) -> Result<Stats> {
        let cleaner = self.cleaner.clone();
        let keys = match cleaner.corpus.as_deref() {
            _ if self.learning => Keys::All,
            Some(model) => Keys::Held(model),
            None => Keys::None,
        };
        self.lines.reset();
        self.state.start_document(&mut self.judges);
        let mut bytes_in = 0u64;
        let mut decoder = DecodingReader::new(
            Counting {
                inner: input,
                count: &mut bytes_in,
            },
            &cleaner.config.decode,
        )?;
        let mut bytes_out = 0u64;
        let Worker {
            lines,
            judges,
            windows,
            state,
            ..
        } = self;
        let judge = |scratch: &mut Judge, window: &mut Window| {
            judge_window(scratch, window, &cleaner, keys);
        };
        let settle = |state: &mut WindowState, window: &mut Window| {
            state.settle(window, &cleaner);
            if assemble {
                state.account(window);
            }
        };
        // Building the output copies every kept byte: out of the settling
        // turn, so that threads do it side by side.
        let finish = |window: &mut Window| {
            if assemble {
                assemble_output(window);
            }
        };
        let mut first = windows.pop().unwrap_or_default();
        let mut more = read_window(lines, &mut decoder, &mut first, true)?;
        let pool = cleaner.pool.as_deref();
        match pool.filter(|_| judges.len() > 1 && !lines.is_drained()) {
            None => {
                let window = &mut first;
                while more {
                    judge(&mut judges[0], window);
                    settle(state, window);
                    finish(window);
                    bytes_out += sink(window)?;
                    more = read_window(lines, &mut decoder, window, false)?;
                }
                windows.push(first);
            }
            Some(pool) => {
                let mut read =
                    |window: &mut Window| read_window(lines, &mut decoder, window, false);
                let in_flight = judges.len() + READ_AHEAD;
                window_threads::run(
                    pool,
                    judges,
                    windows,
                    first,
                    in_flight,
                    state,
                    window_threads::Stages {
                        read: &mut read,
                        process: &judge,
                        settle: &settle,
                        finish: &finish,
                        write: &mut |window| {
                            bytes_out += sink(window)?;
                            Ok(())
                        },
                    },
                )?;
            }
        }
        let report = decoder.report();
        drop(decoder);
        Ok(state.finish(judges, &cleaner.rules, report, bytes_in, bytes_out))
    }
}

/// Reads the next window of `lines` into `window`; false at the end of
/// input. The first window of a document is checked for NUL bytes.
fn read_window<R: Read>(
    lines: &mut LineBuffer,
    reader: &mut R,
    window: &mut Window,
    first: bool,
) -> Result<bool> {
    let text = &mut window.text;
    let Some(len) = lines.next_window_into(reader, &mut text.bytes)? else {
        return Ok(false);
    };
    text.len = len;
    text.validated = false;
    if first && let Some(at) = memchr::memchr(0, &text.bytes[..len]) {
        return Err(Error::Binary { offset: at as u64 });
    }
    Ok(true)
}

/// First pass over a window: every line repaired, normalised and judged by
/// the rules.
fn judge_window(judge: &mut Judge, window: &mut Window, cleaner: &Cleaner, keys: Keys<'_>) {
    window.text.validate();
    judge.judge(
        window.text.as_str(),
        &cleaner.config,
        &cleaner.rules,
        keys,
        Judged {
            normalised: &mut window.normalised,
            records: &mut window.records,
            repeats: &mut window.repeats,
        },
    );
}

/// Assembles the kept lines of a settled and accounted window into its
/// output, from the assembly state [`WindowState::account`] left in it.
fn assemble_output(window: &mut Window) {
    let Window {
        text,
        records,
        normalised,
        out,
        assembler,
        ..
    } = window;
    out.clear();
    let text = text.as_str();
    let mut run = SourceRun::default();
    for rec in records.iter() {
        let (start, end) = (rec.start as usize, rec.end as usize);
        match rec.verdict {
            // A blank line writes nothing (yet): the run goes on.
            Verdict::Keep if !rec.normalised && start == end => {
                assembler.pass(true);
                continue;
            }
            Verdict::Keep if !rec.normalised && text.as_bytes().get(end) == Some(&b'\n') => {
                assembler.line_in_place(text, (start, end), &mut run, out);
                continue;
            }
            Verdict::Remove(_) => continue,
            _ => {}
        }
        Assembler::flush(text, &mut run, out);
        let line = line_of(text, normalised, rec);
        match rec.verdict {
            Verdict::Keep => assembler.line(line, out),
            Verdict::Remove(_) => {}
            Verdict::Trim { start, end, .. } => match rec.remainder {
                Some((at, to)) => assembler.line(&normalised[at as usize..to as usize], out),
                None => {
                    let (head, tail) = cut_parts(line, start, end);
                    assembler.line_parts(head, tail, out);
                }
            },
        }
    }
    Assembler::flush(text, &mut run, out);
}

/// Reports every line or span removed from a settled window.
fn report_removals(window: &Window, rules: &RuleSet, explain: &mut dyn FnMut(&Removal<'_>)) {
    for (i, (rec, line)) in window.lines().enumerate() {
        let (reason, text, span) = match rec.verdict {
            Verdict::Keep => continue,
            Verdict::Remove(reason) => (reason, line, false),
            Verdict::Trim { reason, start, end } => {
                (reason, &line[start as usize..end as usize], true)
            }
        };
        explain(&Removal {
            line: window.first_line + i as u64,
            reason: &reason.name(rules),
            text: text.trim(),
            span,
        });
    }
}

impl WindowState {
    fn start_document(&mut self, judges: &mut [Judge]) {
        self.repeat.reset();
        self.assembler.reset();
        self.removed.iter_mut().for_each(|n| *n = 0);
        self.cut.iter_mut().for_each(|n| *n = 0);
        self.lines_in = 0;
        self.lines_kept = 0;
        for judge in judges {
            judge.repairs = RepairCounts::default();
        }
    }

    /// Second pass: settles in-document repetition (now that the whole
    /// window is counted), then corpus boilerplate, which is judged over
    /// runs of kept lines (see [`crate::profile`]).
    fn settle(&mut self, window: &mut Window, cleaner: &Cleaner) {
        let config = &cleaner.config;
        window.first_line = self.lines_in + 1;
        self.lines_in += window.records.len() as u64;
        for &(_, hash) in &window.repeats {
            self.repeat.add(hash);
        }
        for &(at, hash) in &window.repeats {
            if self.repeat.is_repeated(hash, &config.repeat) {
                window.records[at as usize].verdict = Verdict::Remove(Reason::Repeated);
            }
        }
        self.repeat.end_window(&config.repeat);
        let Some(model) = cleaner.corpus.as_deref() else {
            return;
        };
        let is_kept =
            |rec: &Record| rec.start != rec.end && !matches!(rec.verdict, Verdict::Remove(_));
        let held: Vec<HeldLine<'_>> = (window.lines().filter(|(rec, _)| is_kept(rec)))
            .enumerate()
            .filter_map(|(at, (rec, text))| {
                let stats = model.get(rec.key.filter(|_| rec.informative)?)?;
                Some(HeldLine { at, stats, text })
            })
            .collect();
        if held.is_empty() {
            return;
        }
        let mut verdicts = std::mem::take(&mut self.corpus_verdicts);
        model.judge_lines(&held, cleaner.learn.prose_words as usize, &mut verdicts);
        let removed: Vec<(usize, u32)> = (held.iter().zip(&verdicts))
            .filter_map(|(line, docs)| Some((line.at, (*docs)?)))
            .collect();
        // The same kept lines again, in the same order, to take the
        // verdicts.
        let mut removed = removed.into_iter().peekable();
        for (at, rec) in (window.records.iter_mut())
            .filter(|rec| is_kept(rec))
            .enumerate()
        {
            if let Some((_, docs)) = removed.next_if(|&(line, _)| line == at) {
                rec.verdict = Verdict::Remove(Reason::Corpus(docs));
            }
        }
        self.corpus_verdicts = verdicts;
    }

    /// Counts what a settled window keeps and removes, and moves the
    /// document's assembly state past its lines, keeping the state at its
    /// start in the window for [`assemble_output`].
    fn account(&mut self, window: &mut Window) {
        window.assembler = self.assembler.clone();
        let text = window.text.as_str();
        for rec in &window.records {
            match rec.verdict {
                Verdict::Keep => {
                    let blank = rec.start == rec.end;
                    self.lines_kept += u64::from(!blank);
                    self.assembler.pass(blank);
                }
                Verdict::Remove(reason) => {
                    let n = self.removed.len();
                    let slot = match reason {
                        Reason::Rule(id) => id as usize,
                        Reason::Repeated => n - 2,
                        Reason::Corpus(_) => n - 1,
                    };
                    self.removed[slot] += 1;
                }
                Verdict::Trim { reason, start, end } => {
                    self.lines_kept += 1;
                    let blank = match rec.remainder {
                        Some((at, to)) => at == to,
                        None => {
                            let line = line_of(text, &window.normalised, rec);
                            let (head, tail) = cut_parts(line, start, end);
                            head.is_empty() && tail.is_empty()
                        }
                    };
                    self.assembler.pass(blank);
                    if let Reason::Rule(id) = reason {
                        self.cut[id as usize] += 1;
                    }
                }
            }
        }
    }

    fn finish(
        &self,
        judges: &[Judge],
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
            mojibake_repaired: judges.iter().map(|j| j.repairs.mojibake).sum(),
            entities_decoded: judges.iter().map(|j| j.repairs.entities).sum(),
            tags_removed: judges.iter().map(|j| j.repairs.tags).sum(),
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

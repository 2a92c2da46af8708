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

mod judging;
mod settled;

use crate::config::Config;
use crate::decode::{DecodeReport, DecodingReader};
use crate::error::{Error, Result};
use crate::judge::{Reason, RepeatCounter, RuleSet, Verdict};
use crate::lines::LineBuffer;
use crate::profile::{CorpusModel, DocLearner, LearnOptions, ProfileBuilder};
use crate::repair::RepairCounts;
use crate::stats::Stats;
use crate::write::Assembler;
use judging::{Judge, Needs, Record, split_point};
use std::borrow::Cow;
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
    /// Threads that judge the halves of large windows, when given.
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

    /// The same cleaner, judging the two halves of each large window (1 MiB
    /// or more) on two threads of `pool`. Output is unchanged; a single
    /// large input then uses two cores. Without a pool everything runs on
    /// the calling thread, and rayon's global pool is never touched.
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
    state: WindowState,
}

/// Everything but the line buffer, so a window borrowed from the buffer can
/// be processed while the rest is mutated.
#[derive(Debug)]
struct WindowState {
    /// The window's lines in order.
    records: Vec<Record>,
    /// Two judges: the second takes the back half of a large window when
    /// windows are judged in parallel.
    judges: [Judge; 2],
    /// The second judge's records before they join `records`.
    tail: Vec<Record>,
    repeat: RepeatCounter,
    out: String,
    assembler: Assembler,
    /// Whole-line removals per rule id, then repetition, then corpus.
    removed: Vec<u64>,
    /// Span cuts per rule id.
    cut: Vec<u64>,
    lines_in: u64,
    lines_kept: u64,
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
                records: Vec::new(),
                judges: [
                    Judge::new(1, config, cleaner.rules()),
                    Judge::new(2, config, cleaner.rules()),
                ],
                tail: Vec::new(),
                repeat: RepeatCounter::default(),
                out: String::new(),
                assembler: Assembler::default(),
                removed: vec![0; n_rules + 2],
                cut: vec![0; n_rules + 2],
                lines_in: 0,
                lines_kept: 0,
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
                    f(key, line_of(text, &state.judges, rec));
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
            let needs = Needs {
                keys: needs_keys || state.learning,
            };
            state.judge_window(&text, config, rules, needs, cleaner.pool.as_deref());
            state.settle(&text, &cleaner);
            bytes_out += sink(state, &text, &cleaner)?;
        }
        let report = decoder.report();
        drop(decoder);
        Ok(self.state.finish(rules, report, bytes_in, bytes_out))
    }
}

/// Windows at least this large are judged in two halves when windows are
/// judged in parallel; smaller ones are not worth a second thread.
const PARALLEL_WINDOW: usize = 1 << 20;

/// The judged text of a line of the window `text`.
fn line_of<'t>(text: &'t str, judges: &'t [Judge; 2], rec: &Record) -> &'t str {
    let range = rec.start as usize..rec.end as usize;
    match rec.source {
        0 => &text[range],
        n => &judges[n as usize - 1].normalised[range],
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
        for judge in &mut self.judges {
            judge.repairs = RepairCounts::default();
        }
    }

    /// First pass: every line repaired, normalised and judged by the
    /// rules. A large window is cut in two at a line end and the halves
    /// judged on two threads of `pool`, when there is one.
    fn judge_window(
        &mut self,
        text: &str,
        config: &Config,
        rules: &RuleSet,
        needs: Needs,
        pool: Option<&rayon::ThreadPool>,
    ) {
        self.records.clear();
        let split = pool
            .filter(|_| text.len() >= PARALLEL_WINDOW)
            .and_then(|pool| Some((pool, split_point(text)?)));
        let [front, back] = &mut self.judges;
        match split {
            None => front.judge(text, 0, config, rules, needs, &mut self.records),
            Some((pool, at)) => {
                let (head, rest) = text.split_at(at);
                let tail = &mut self.tail;
                tail.clear();
                pool.join(
                    || front.judge(head, 0, config, rules, needs, &mut self.records),
                    || back.judge(rest, at, config, rules, needs, tail),
                );
                self.records.append(tail);
            }
        }
        self.lines_in += self.records.len() as u64;
    }

    /// Second pass: settles in-document repetition (now that the whole
    /// window is counted), then corpus boilerplate, which is judged over
    /// runs of kept lines (see [`crate::profile`]).
    fn settle(&mut self, text: &str, cleaner: &Cleaner) {
        let config = &cleaner.config;
        for hash in self.records.iter().filter_map(|rec| rec.repeat) {
            self.repeat.add(hash);
        }
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
            kept.push((key, line_of(text, &self.judges, rec)));
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
            let line = line_of(text, &self.judges, rec);
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
            mojibake_repaired: self.judges.iter().map(|j| j.repairs.mojibake).sum(),
            entities_decoded: self.judges.iter().map(|j| j.repairs.entities).sum(),
            tags_removed: self.judges.iter().map(|j| j.repairs.tags).sum(),
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

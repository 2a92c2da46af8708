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
use crate::judge::{KeyMaker, Reason, RepeatCounter, RuleSet, Verdict};
use crate::lines::{LineBuffer, split_lines};
use crate::normalise::Normaliser;
use crate::repair::{RepairCounts, repair};
use crate::stats::Stats;
use crate::write::Assembler;
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
}

impl Cleaner {
    /// A cleaner with these options and rules.
    pub fn new(config: Config, rules: RuleSet) -> Cleaner {
        Cleaner {
            config: Arc::new(config),
            rules: Arc::new(rules),
        }
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
    start: u32,
    end: u32,
    verdict: Verdict,
    key: Option<u64>,
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
    norm: Normaliser,
    out: String,
    assembler: Assembler,
    /// Whole-line removals per rule id; the last slot is repetition.
    removed: Vec<u64>,
    /// Span cuts per rule id.
    cut: Vec<u64>,
    lines_in: u64,
    lines_kept: u64,
    repairs: RepairCounts,
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
                norm: Normaliser::new(config.normalise),
                out: String::new(),
                assembler: Assembler::default(),
                removed: vec![0; n_rules + 1],
                cut: vec![0; n_rules + 1],
                lines_in: 0,
                lines_kept: 0,
                repairs: RepairCounts::default(),
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
        let config = self.cleaner.config.clone();
        let rules = self.cleaner.rules.clone();
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
            let text = String::from_utf8_lossy(window);
            let state = &mut self.state;
            state.out.clear();
            let repaired = repair(&text, &config.repair, &mut state.repairs);
            state.judge_window(&repaired, &config, &rules);
            state.write_window(&rules, &config, &mut explain);
            output.write_all(state.out.as_bytes())?;
            bytes_out += state.out.len() as u64;
            output.flush()?;
        }
        let report = decoder.report();
        drop(decoder);
        Ok(self.state.finish(&rules, report, bytes_in, bytes_out))
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

    /// First pass: normalise every line and judge it by the rules; count
    /// repetition candidates.
    fn judge_window(&mut self, text: &str, config: &Config, rules: &RuleSet) {
        self.normalised.clear();
        self.records.clear();
        let repeat = &config.repeat;
        for (_, raw) in split_lines(text) {
            let start = self.normalised.len();
            self.norm.normalise_into(raw, &mut self.normalised);
            let line = &self.normalised[start..];
            let mut verdict = Verdict::Keep;
            let mut key = None;
            if config.strip && !line.is_empty() {
                if let Some(id) = rules.match_line(line) {
                    verdict = Verdict::Remove(Reason::Rule(id));
                } else if let Some((id, range)) = rules.match_span(line) {
                    verdict = Verdict::Trim {
                        reason: Reason::Rule(id),
                        start: range.start as u32,
                        end: range.end as u32,
                    };
                }
                if repeat.enabled
                    && !matches!(verdict, Verdict::Remove(_))
                    && RepeatCounter::is_candidate(line, repeat)
                {
                    let k = self.keys.key(line);
                    self.repeat.add(k);
                    key = Some(k);
                }
            }
            self.records.push(Record {
                start: start as u32,
                end: self.normalised.len() as u32,
                verdict,
                key,
            });
        }
        self.lines_in += self.records.len() as u64;
    }

    /// Second pass: settle repetition, then write kept lines and report
    /// removed ones.
    fn write_window(
        &mut self,
        rules: &RuleSet,
        config: &Config,
        explain: &mut Option<&mut dyn FnMut(&Removal<'_>)>,
    ) {
        let repeat_slot = self.removed.len() - 1;
        let first_line = self.lines_in - self.records.len() as u64 + 1;
        for (i, rec) in self.records.iter().enumerate() {
            let line = &self.normalised[rec.start as usize..rec.end as usize];
            let mut verdict = rec.verdict;
            if rec
                .key
                .is_some_and(|k| self.repeat.is_repeated(k, &config.repeat))
            {
                verdict = Verdict::Remove(Reason::Repeated);
            }
            let (reason, text, span) = match verdict {
                Verdict::Keep => {
                    self.lines_kept += u64::from(!line.is_empty());
                    self.assembler.line(line, &mut self.out);
                    continue;
                }
                Verdict::Remove(reason) => {
                    let slot = match reason {
                        Reason::Rule(id) => id as usize,
                        Reason::Repeated => repeat_slot,
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
        self.repeat.end_window(&config.repeat);
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
        let name = |slot: usize| {
            if slot == self.removed.len() - 1 {
                crate::judge::REPEATED.to_string()
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

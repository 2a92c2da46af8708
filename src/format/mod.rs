//! Dump formats: how one input splits into documents, and how everything
//! that is not a document gets back out unchanged.
//!
//! Why: real dumps are rarely one article per file. A JSON Lines export
//! holds one document per line in a text field, a Common Crawl WET file one
//! per `conversion` record, a concatenated dump one per stretch between
//! separator lines. Cleaning such an input as one document would let
//! in-document repetition and corpus learning see the wrong unit, and would
//! mangle the framing (JSON syntax, WARC headers). Each format is a module
//! behind one small trait, [`Format`], as hyperfine's exporters are:
//!
//! | format | module | document | passed through byte for byte |
//! |---|---|---|---|
//! | plain text | [`plain`] | the whole input, streamed window by window | nothing |
//! | document stream | [`stream`] | text between `--doc-separator` lines | separator lines |
//! | JSON Lines | [`jsonl`] | one string field of each line | every other byte of the line |
//! | WET | [`wet`] | body of each `conversion` record | other records; headers but Content-Length |
//!
//! Plain text stays outside the trait: it is one document of any size and
//! streams through [`Worker::clean`] in bounded memory. The other formats
//! cut their input into [`Chunk`]s of whole records (about
//! [`FormatOptions::chunk_size`] bytes each); [`run`] reads a group of
//! chunks while the previous group is cleaned by rayon workers, one
//! [`Worker`] per chunk, and writes the results in input order. At most two
//! groups (`2 × threads` chunks each) are in memory at once, so memory is
//! bounded by `4 × threads × chunk_size` plus the largest single record;
//! a record is always held whole (a JSON line up to `--max-line`, a WET
//! body up to `--max-line`, a stream document without limit).
//!
//! Never: a format never reorders records, never drops one unless told
//! (`--drop-empty`, `--on-error skip`), and never stops at a bad record:
//! that record is reported with its file and record number and the rest of
//! the file goes on.

pub mod jsonl;
pub mod plain;
pub mod stream;
pub mod wet;

use crate::clean::{Cleaner, Removal, Worker};
use crate::error::{Error, Result};
use crate::profile::ProfileBuilder;
use crate::read::Compression;
use crate::stats::Stats;
use rayon::prelude::*;
use std::io::{self, BufRead, Write};
use std::path::Path;

/// The format the user asked for (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatKind {
    /// Decide per input from its name and first line.
    #[default]
    Auto,
    /// Plain text (a document stream with `--doc-separator`).
    Plain,
    /// JSON Lines.
    Jsonl,
    /// Common Crawl WET (WARC with `conversion` records).
    Wet,
}

/// The format one input is read in, after detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One document.
    Plain,
    /// Documents between separator lines.
    Stream,
    /// JSON Lines.
    Jsonl,
    /// WET.
    Wet,
}

/// What to do with a malformed record (`--on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Drop it from the output.
    Skip,
    /// Write it out unchanged (the default: decruft never drops what it
    /// cannot judge).
    #[default]
    Keep,
    /// Drop it and fail the file (exit status 1; with `-o`/`--in-place` the
    /// output file is not written). The rest of the file is still read, so
    /// every malformed record is reported.
    Fail,
}

/// Options of the formats.
#[derive(Debug, Clone)]
pub struct FormatOptions {
    /// `--format`.
    pub format: FormatKind,
    /// `--field`: the JSON field to clean, as a dotted path.
    pub field: Vec<String>,
    /// `--meta-key`: add per-record statistics under this top-level key.
    pub meta_key: Option<String>,
    /// `--drop-empty`: drop records whose text became empty.
    pub drop_empty: bool,
    /// `--on-error`.
    pub on_error: OnError,
    /// `--doc-separator`: a line matching this starts a new document.
    pub doc_separator: Option<regex::bytes::Regex>,
    /// `--compress`: output codec; `None` keeps each input's.
    pub compress: Option<Compression>,
    /// Bytes of records cut into one chunk of parallel work.
    pub chunk_size: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            format: FormatKind::Auto,
            field: vec!["text".into()],
            meta_key: None,
            drop_empty: false,
            on_error: OnError::Keep,
            doc_separator: None,
            compress: None,
            chunk_size: 1 << 20,
        }
    }
}

impl FormatOptions {
    /// The format of one input, from the options, its name (if a file) and
    /// the first bytes of its decompressed content.
    pub fn resolve(&self, path: Option<&Path>, head: &[u8]) -> Kind {
        let plain = if self.doc_separator.is_some() {
            Kind::Stream
        } else {
            Kind::Plain
        };
        match self.format {
            FormatKind::Plain => plain,
            FormatKind::Jsonl => Kind::Jsonl,
            FormatKind::Wet => Kind::Wet,
            FormatKind::Auto => {
                if let Some(name) = path.and_then(|p| p.file_name()).and_then(|n| n.to_str()) {
                    let name = name.to_ascii_lowercase();
                    let name = name
                        .strip_suffix(".gz")
                        .or_else(|| name.strip_suffix(".zst"))
                        .unwrap_or(&name);
                    if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
                        return Kind::Jsonl;
                    }
                    if name.ends_with(".wet") || name.ends_with(".warc") {
                        return Kind::Wet;
                    }
                }
                if head.starts_with(b"WARC/") {
                    Kind::Wet
                } else {
                    plain
                }
            }
        }
    }

    /// The format implementation for a record format.
    pub fn format(&self, kind: Kind) -> Option<Box<dyn Format + '_>> {
        match kind {
            Kind::Plain => None,
            Kind::Stream => Some(Box::new(stream::Stream::new(self))),
            Kind::Jsonl => Some(Box::new(jsonl::Jsonl::new(self))),
            Kind::Wet => Some(Box::new(wet::Wet::new(self))),
        }
    }
}

/// One record of a [`Chunk`].
#[derive(Debug, Clone, Copy)]
pub struct Record {
    /// Offset in [`Chunk::data`] just past the record (it starts where the
    /// previous one ends).
    pub end: usize,
    /// Its number in the input, as messages and `--explain` show it (JSONL:
    /// the line number; WET: the record's position; stream: the document's).
    pub number: u64,
    /// True when the record holds a document (stream: not a separator).
    pub document: bool,
}

/// Whole records cut from one input, the unit of parallel work.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The records' bytes, back to back.
    pub data: Vec<u8>,
    /// Where each record ends.
    pub records: Vec<Record>,
}

impl Chunk {
    /// Ends a document record at byte `end` and advances the record number.
    pub fn push_document(&mut self, end: usize, number: &mut u64) {
        self.records.push(Record {
            end,
            number: *number,
            document: true,
        });
        *number += 1;
    }

    /// The records with their bytes.
    pub fn iter(&self) -> impl Iterator<Item = (Record, &[u8])> {
        let mut start = 0;
        self.records.iter().map(move |r| {
            let bytes = &self.data[start..r.end];
            start = r.end;
            (*r, bytes)
        })
    }
}

/// A record format: cuts an input into chunks, and runs the documents of a
/// chunk through a [`Docs`].
pub trait Format: Sync {
    /// Appends whole records from `input` to `chunk` until it holds at
    /// least `target` bytes or the input ends. `number` is the next record
    /// number, advanced past what was read.
    fn fill(
        &self,
        input: &mut dyn BufRead,
        number: &mut u64,
        chunk: &mut Chunk,
        target: usize,
        max_record: usize,
    ) -> Result<()>;

    /// Passes every document of `chunk` to `docs` and writes the output
    /// (when cleaning) to `out`.
    fn process(&self, chunk: &Chunk, docs: &mut Docs<'_>, out: &mut Vec<u8>);
}

/// Receives explanations and warnings from worker threads.
pub trait Sink: Sync {
    /// A removal inside document `label` (`FILE:RECORD`).
    fn removed(&self, label: &str, removal: &Removal<'_>);
    /// A record problem that does not stop the file (`FILE:RECORD`).
    fn warning(&self, label: &str, message: &str);
}

/// What to do with each document.
pub enum Action<'a> {
    /// Clean it.
    Clean {
        /// Report every removal.
        explain: bool,
    },
    /// Learn it into a profile.
    Learn(&'a mut ProfileBuilder),
    /// Show each surviving line with its key.
    Visit(&'a mut dyn FnMut(u64, &str)),
}

/// The per-chunk context a [`Format`] hands each document to.
pub struct Docs<'a> {
    worker: &'a mut Worker,
    action: Action<'a>,
    label: &'a str,
    sink: &'a dyn Sink,
    /// The format options.
    pub opts: &'a FormatOptions,
    /// Counters of the chunk so far.
    pub stats: Stats,
    /// Set when a record failed under `--on-error fail`.
    pub failed: bool,
}

impl<'a> Docs<'a> {
    /// A context for one chunk of the input named `label`.
    pub fn new(
        worker: &'a mut Worker,
        action: Action<'a>,
        label: &'a str,
        sink: &'a dyn Sink,
        opts: &'a FormatOptions,
    ) -> Docs<'a> {
        Docs {
            worker,
            action,
            label,
            sink,
            opts,
            stats: Stats::default(),
            failed: false,
        }
    }

    /// True when output is being written (not learning).
    pub fn cleaning(&self) -> bool {
        matches!(self.action, Action::Clean { .. })
    }

    /// Runs document `number` (`text`, raw bytes) through the action.
    /// Cleaned text goes to `out`, which is cleared first. Returns the
    /// document's statistics, or `None` when it could not be cleaned (it
    /// was reported; the caller passes the record through unchanged).
    pub fn document(&mut self, number: u64, text: &[u8], out: &mut Vec<u8>) -> Option<Stats> {
        out.clear();
        let (label, sink) = (self.label, self.sink);
        let result = match &mut self.action {
            Action::Clean { explain } => {
                let mut report = |r: &Removal<'_>| sink.removed(&format!("{label}:{number}"), r);
                let explain: Option<&mut dyn FnMut(&Removal<'_>)> =
                    if *explain { Some(&mut report) } else { None };
                self.worker.clean(text, out, explain)
            }
            Action::Learn(builder) => self.worker.learn(text, builder),
            Action::Visit(f) => self.worker.visit(text, |k, l| f(k, l)),
        };
        match result {
            Ok(mut stats) => {
                stats.documents = stats.files;
                stats.files = 0;
                // The file's bytes are counted by the driver, framing included.
                let (bytes_in, bytes_out) = (stats.bytes_in, stats.bytes_out);
                stats.bytes_in = 0;
                stats.bytes_out = 0;
                self.stats += &stats;
                stats.bytes_in = bytes_in;
                stats.bytes_out = bytes_out;
                Some(stats)
            }
            Err(e) => {
                self.stats.records_passed += 1;
                self.warn(number, &format!("{e}; record passed through uncleaned"));
                None
            }
        }
    }

    /// Reports a problem with record `number`.
    pub fn warn(&self, number: u64, message: &str) {
        self.sink
            .warning(&format!("{}:{number}", self.label), message);
    }

    /// Handles a malformed record under `--on-error`: reports it and says
    /// whether to write it out unchanged.
    pub fn malformed(&mut self, number: u64, cause: &str) -> bool {
        self.stats.records_malformed += 1;
        let (what, keep) = match self.opts.on_error {
            OnError::Keep => ("kept unchanged", true),
            OnError::Skip => ("skipped", false),
            OnError::Fail => {
                self.failed = true;
                ("skipped, the file fails (--on-error fail)", false)
            }
        };
        self.warn(number, &format!("{cause}; {what}"));
        keep
    }
}

/// Appends one line (with its terminator) from `input` to `buf`; returns
/// how many bytes were appended (0 at the end). A line longer than `cap`
/// is an error, so one bad line cannot eat all memory.
pub fn read_line(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
    offset: u64,
) -> Result<usize> {
    let start = buf.len();
    loop {
        let avail = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if avail.is_empty() {
            return Ok(buf.len() - start);
        }
        let (take, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        buf.extend_from_slice(&avail[..take]);
        input.consume(take);
        if buf.len() - start > cap {
            return Err(Error::LineTooLong { offset, limit: cap });
        }
        if done {
            return Ok(buf.len() - start);
        }
    }
}

/// A line without its `\n` or `\r\n`.
pub fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Everything [`run`] needs besides the input and the output.
pub struct Context<'a> {
    /// The shared cleaner.
    pub cleaner: &'a Cleaner,
    /// The worker threads.
    pub pool: &'a rayon::ThreadPool,
    /// Format options.
    pub opts: &'a FormatOptions,
    /// The input's name for messages.
    pub label: &'a str,
    /// Where explanations and warnings go.
    pub sink: &'a dyn Sink,
    /// Report every removal.
    pub explain: bool,
}

impl Context<'_> {
    fn group(&self) -> usize {
        self.pool.current_num_threads().max(1) * 2
    }

    fn max_record(&self) -> usize {
        self.cleaner.config().max_line
    }
}

/// Reads up to `n` chunks.
fn read_group(
    format: &dyn Format,
    input: &mut dyn BufRead,
    number: &mut u64,
    n: usize,
    cx: &Context<'_>,
) -> Result<Vec<Chunk>> {
    let mut group = Vec::with_capacity(n);
    for _ in 0..n {
        let mut chunk = Chunk::default();
        format.fill(
            input,
            number,
            &mut chunk,
            cx.opts.chunk_size,
            cx.max_record(),
        )?;
        if chunk.records.is_empty() {
            break;
        }
        group.push(chunk);
    }
    Ok(group)
}

/// Drives one record-format input: reads groups of chunks, maps each chunk
/// with its own worker in parallel while the next group is read, and hands
/// the results to `emit` in input order.
fn drive<T: Send>(
    format: &dyn Format,
    input: &mut (dyn BufRead + Send),
    cx: &Context<'_>,
    map: impl Fn(&Chunk, &mut Worker) -> T + Sync,
    mut emit: impl FnMut(T) -> Result<()>,
) -> Result<u64> {
    let n = cx.group();
    let mut workers: Vec<Worker> = (0..n).map(|_| cx.cleaner.worker()).collect();
    let mut number = 1;
    let mut bytes = 0u64;
    let mut next = read_group(format, input, &mut number, n, cx)?;
    while !next.is_empty() {
        let current = next;
        bytes += current.iter().map(|c| c.data.len() as u64).sum::<u64>();
        let (results, read) = cx.pool.install(|| {
            rayon::join(
                || {
                    current
                        .par_iter()
                        .zip(workers.par_iter_mut())
                        .map(|(chunk, worker)| map(chunk, worker))
                        .collect::<Vec<T>>()
                },
                || read_group(format, input, &mut number, n, cx),
            )
        });
        for r in results {
            emit(r)?;
        }
        next = read?;
    }
    Ok(bytes)
}

/// Cleans one record-format input into `out`; returns its statistics.
/// `Err` for an input that cannot be read on (a truncated file, a framing
/// error), for a failed output, and under `--on-error fail`.
pub fn run(
    format: &dyn Format,
    input: &mut (dyn BufRead + Send),
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> Result<Stats> {
    let mut total = Stats::default();
    let mut failed = false;
    let bytes_in = drive(
        format,
        input,
        cx,
        |chunk, worker| {
            let mut docs = Docs::new(
                worker,
                Action::Clean {
                    explain: cx.explain,
                },
                cx.label,
                cx.sink,
                cx.opts,
            );
            let mut buf = Vec::with_capacity(chunk.data.len());
            format.process(chunk, &mut docs, &mut buf);
            (buf, docs.stats, docs.failed)
        },
        |(buf, stats, f)| {
            out.write_all(&buf)?;
            total.bytes_out += buf.len() as u64;
            total += &stats;
            failed |= f;
            Ok(())
        },
    )?;
    if failed {
        return Err(Error::Input {
            message: format!(
                "{} malformed records (--on-error fail)",
                total.records_malformed
            ),
        });
    }
    Ok(finish_file(total, bytes_in))
}

/// Per-document sums become per-file statistics.
fn finish_file(mut stats: Stats, bytes_in: u64) -> Stats {
    stats.files = 1;
    stats.bytes_in = bytes_in;
    stats.lossy_files = u64::from(stats.replacement_chars > 0);
    stats
}

/// Learns every document of one record-format input into `builder`.
pub fn learn(
    format: &dyn Format,
    input: &mut (dyn BufRead + Send),
    cx: &Context<'_>,
    builder: &mut ProfileBuilder,
) -> Result<()> {
    drive(
        format,
        input,
        cx,
        |chunk, worker| {
            let mut local = ProfileBuilder::new();
            let mut docs = Docs::new(
                worker,
                Action::Learn(&mut local),
                cx.label,
                cx.sink,
                cx.opts,
            );
            format.process(chunk, &mut docs, &mut Vec::new());
            local
        },
        |local| {
            builder.absorb(local);
            Ok(())
        },
    )?;
    Ok(())
}

/// Shows each surviving line of every document to `f`, sequentially.
pub fn visit(
    format: &dyn Format,
    input: &mut dyn BufRead,
    cx: &Context<'_>,
    worker: &mut Worker,
    f: &mut dyn FnMut(u64, &str),
) -> Result<()> {
    let mut number = 1;
    loop {
        let mut chunk = Chunk::default();
        format.fill(
            input,
            &mut number,
            &mut chunk,
            cx.opts.chunk_size,
            cx.max_record(),
        )?;
        if chunk.records.is_empty() {
            return Ok(());
        }
        let mut docs = Docs::new(worker, Action::Visit(f), cx.label, cx.sink, cx.opts);
        format.process(&chunk, &mut docs, &mut Vec::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_name_and_content() {
        let o = FormatOptions::default();
        let k = |name: &str, head: &[u8]| o.resolve(Some(Path::new(name)), head);
        assert_eq!(k("a.jsonl", b"{"), Kind::Jsonl);
        assert_eq!(k("a.NDJSON.gz", b""), Kind::Jsonl);
        assert_eq!(k("a.jsonl.zst", b""), Kind::Jsonl);
        assert_eq!(k("CC-MAIN-1.warc.wet.gz", b""), Kind::Wet);
        assert_eq!(k("dump", b"WARC/1.0\r\n"), Kind::Wet);
        assert_eq!(k("a.txt", b"{\"text\": 1}"), Kind::Plain);
        assert_eq!(o.resolve(None, b"hello"), Kind::Plain);
        let s = FormatOptions {
            doc_separator: Some(regex::bytes::Regex::new("^\x0c$").unwrap()),
            ..FormatOptions::default()
        };
        assert_eq!(s.resolve(None, b"hello"), Kind::Stream);
        assert_eq!(s.resolve(Some(Path::new("a.jsonl")), b""), Kind::Jsonl);
    }
}

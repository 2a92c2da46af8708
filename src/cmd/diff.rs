//! `decruft --diff`: a unified diff of each input against its cleaned
//! output, instead of the cleaned text.
//!
//! Why: before trusting a cleaner with a corpus, a user wants to see every
//! change, in the tool every developer already reads (`| less -R`, `git
//! apply --stat`, `patch`). Each input is cleaned exactly as a normal run
//! would clean it (same options, profile, formats) into memory, then
//! compared line by line with its raw (decompressed) bytes. Lines are
//! compared with their terminators, so a CRLF that became LF is a change,
//! and a last line without a newline carries `\ No newline at end of
//! file`: `patch -p0 < run.diff` turns each input into its output byte for
//! byte. Files that do not change print nothing, as with `diff -u`.
//!
//! Trade-off: both versions of one file are held in memory (the normal
//! clean streams), and the diff uses similar's Myers with a 10-second
//! deadline per file, after which the diff is still correct but may be
//! longer than the shortest one. Inputs are cleaned in parallel groups
//! and printed in input order.

use super::{Failure, io_failure};
use decruft::batch::{self, BatchOptions, Job, Mode, Report, Source};
use decruft::{Cleaner, Error, Stats};
use rayon::prelude::*;
use similar::{Algorithm, DiffTag};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Lines of context around each change, as `diff -u`.
const CONTEXT: usize = 3;

/// ANSI colours of the diff, as git's defaults.
struct Palette {
    header: &'static str,
    hunk: &'static str,
    del: &'static str,
    add: &'static str,
    reset: &'static str,
}

const COLOUR: Palette = Palette {
    header: "\x1b[1m",
    hunk: "\x1b[36m",
    del: "\x1b[31m",
    add: "\x1b[32m",
    reset: "\x1b[0m",
};

const PLAIN: Palette = Palette {
    header: "",
    hunk: "",
    del: "",
    add: "",
    reset: "",
};

/// Cleans every job and writes its diff to `out`, in input order.
pub fn run(
    cleaner: &Cleaner,
    jobs: &[Job],
    opts: &BatchOptions,
    report: &dyn Report,
    out: &mut dyn Write,
    colour: bool,
) -> Result<Stats, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| Failure::Fatal(format!("cannot start worker threads: {e}")))?;
    let one = BatchOptions {
        threads: 1,
        ..opts.clone()
    };
    let mut total = Stats::default();
    let group = opts.threads.max(1) * 4;
    for chunk in jobs.chunks(group) {
        let diffs: Vec<(Vec<u8>, Stats)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|job| diff_job(cleaner, job, &one, report, colour))
                .collect()
        });
        for (text, stats) in &diffs {
            out.write_all(text).map_err(io_failure)?;
            total += stats;
        }
    }
    out.flush().map_err(io_failure)?;
    Ok(total)
}

/// Cleans one job into memory and diffs it against its input.
fn diff_job(
    cleaner: &Cleaner,
    job: &Job,
    opts: &BatchOptions,
    report: &dyn Report,
    colour: bool,
) -> (Vec<u8>, Stats) {
    let Source::File(path) = &job.source else {
        unreachable!("standard input is spooled to a file first");
    };
    let mut old = Vec::new();
    let read = decruft::read::open(Some(path)).and_then(|mut i| i.reader.read_to_end(&mut old));
    if let Err(e) = read {
        report.failed(
            &job.label,
            &Error::Input {
                message: batch::io_cause(&e),
            },
        );
        return (Vec::new(), failed());
    }
    let mut new = Vec::new();
    let stats = match batch::run(
        cleaner,
        std::slice::from_ref(job),
        &Mode::Stream,
        opts,
        report,
        &mut new,
    ) {
        Ok(s) => s,
        Err(e) => {
            report.failed(&job.label, &e);
            return (Vec::new(), failed());
        }
    };
    if stats.files == 0 {
        // The job failed and was reported; no diff.
        return (Vec::new(), stats);
    }
    let mut text = Vec::new();
    unified(&old, &new, &job.label, colour, &mut text);
    (text, stats)
}

fn failed() -> Stats {
    Stats {
        files_failed: 1,
        ..Stats::default()
    }
}

/// Splits bytes into lines that keep their `\n` (and any `\r` before it).
fn lines(text: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', text) {
        v.push(&text[start..=i]);
        start = i + 1;
    }
    if start < text.len() {
        v.push(&text[start..]);
    }
    v
}

/// Writes a unified diff of `old` against `new` for the file `name`
/// (nothing when they are equal). The headers name the same path on both
/// sides, so `patch -p0` applies it to that file.
pub fn unified(old: &[u8], new: &[u8], name: &str, colour: bool, out: &mut Vec<u8>) {
    if old == new {
        return;
    }
    let p = if colour { &COLOUR } else { &PLAIN };
    let (a, b) = (lines(old), lines(new));
    let deadline = Instant::now() + Duration::from_secs(10);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &a, &b, Some(deadline));
    let groups = similar::group_diff_ops(ops, CONTEXT);
    if groups.is_empty() {
        return;
    }
    let _ = write!(out, "{}--- {name}\n+++ {name}{}\n", p.header, p.reset);
    for group in groups {
        let (first, last) = (
            group[0].as_tag_tuple(),
            group[group.len() - 1].as_tag_tuple(),
        );
        let (o0, o1) = (first.1.start, last.1.end);
        let (n0, n1) = (first.2.start, last.2.end);
        let _ = writeln!(
            out,
            "{}@@ -{} +{} @@{}",
            p.hunk,
            range(o0, o1),
            range(n0, n1),
            p.reset
        );
        for op in &group {
            let (tag, old_r, new_r) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => {
                    for line in &a[old_r] {
                        emit(out, b" ", line, "", "");
                    }
                }
                DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                    for line in &a[old_r] {
                        emit(out, b"-", line, p.del, p.reset);
                    }
                    for line in &b[new_r] {
                        emit(out, b"+", line, p.add, p.reset);
                    }
                }
            }
        }
    }
}

/// `start,count` as `diff -u` writes it: 1-based start, `,count` left out
/// when it is 1, and a start one before the position for an empty range.
fn range(start: usize, end: usize) -> String {
    match end - start {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        n => format!("{},{n}", start + 1),
    }
}

/// One diff line; a line without a final newline gets the marker `patch`
/// needs to reproduce it exactly. Colour never covers the line ending, so
/// a coloured diff still has the input's CR/LF bytes where patch expects
/// them.
fn emit(out: &mut Vec<u8>, sign: &[u8], line: &[u8], on: &str, off: &str) {
    let (body, eol): (&[u8], &[u8]) = if let Some(b) = line.strip_suffix(b"\r\n") {
        (b, b"\r\n")
    } else if let Some(b) = line.strip_suffix(b"\n") {
        (b, b"\n")
    } else {
        (line, b"")
    };
    out.extend_from_slice(on.as_bytes());
    out.extend_from_slice(sign);
    out.extend_from_slice(body);
    out.extend_from_slice(off.as_bytes());
    if eol.is_empty() {
        out.extend_from_slice(b"\n\\ No newline at end of file\n");
    } else {
        out.extend_from_slice(eol);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_diff_writes_them() {
        assert_eq!(range(0, 0), "0,0");
        assert_eq!(range(4, 5), "5");
        assert_eq!(range(4, 7), "5,3");
    }

    #[test]
    fn no_final_newline_is_marked() {
        let mut out = Vec::new();
        unified(b"a\nb", b"a\n", "f", false, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "--- f\n+++ f\n@@ -1,2 +1 @@\n a\n-b\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn equal_inputs_print_nothing() {
        let mut out = Vec::new();
        unified(b"a\n", b"a\n", "f", true, &mut out);
        assert!(out.is_empty());
    }
}

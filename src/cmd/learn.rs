//! `decruft learn PATH... -o FILE`: learn a corpus profile, or merge
//! profiles (`--merge`, optionally one hash-range shard of the merge).

use super::{Exit, Failure, StderrReport, cleaner, io_failure, threads, write_file_atomically};
use crate::cli::{LearnArgs, StatsFormat};
use decruft::batch::{self, Mode};
use decruft::profile::{self, ProfileBuilder, file};
use std::io::{self, Write};
use std::time::Instant;

pub fn run(args: &LearnArgs) -> Result<Exit, Failure> {
    let started = Instant::now();
    if args.merge {
        let header = file::merge_files(&args.paths, &args.output, args.shard)
            .map_err(|e| Failure::Fatal(e.to_string()))?;
        if args.stats.is_some() {
            eprintln!(
                "merged {} profiles: {} documents, {} distinct lines, {:.3} s",
                args.paths.len(),
                header.docs,
                header.entries,
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(Exit::Ok);
    }
    let cleaner = cleaner(&args.pipeline)?;
    let (jobs, plan_errors) = batch::plan(&args.paths, &Mode::Stream).map_err(Failure::Usage)?;
    let report = StderrReport::new();
    for e in &plan_errors {
        batch::Report::failed(&report, &e.label, &e.error);
    }
    if jobs.iter().any(|j| j.label == "<stdin>") {
        return Err(Failure::Usage(
            "learn reads files and folders; standard input cannot be learned".into(),
        ));
    }
    let format = args.format.to_options(None).map_err(Failure::Usage)?;
    let builder = batch::learn_formats(&cleaner, &jobs, threads(args.threads), &format)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let distinct = builder.len();
    write_profile(&builder, cleaner.learn_fingerprint(), &args.output)?;
    if let Some(n) = args.top {
        print_top(&cleaner, &jobs, &builder, n, args, &format)?;
    }
    let bytes = distinct * file::ENTRY + file::HEADER;
    // Record formats learn many documents per file, so this can only
    // count failures of plain files; it must not underflow.
    let failed = (jobs.len() as u64).saturating_sub(builder.docs) + plan_errors.len() as u64;
    let seconds = started.elapsed().as_secs_f64();
    match args.stats {
        Some(StatsFormat::Json) => eprintln!(
            "{}",
            serde_json::json!({
                "documents": builder.docs,
                "files_failed": failed,
                "distinct_lines": distinct,
                "profile_bytes": bytes,
                "seconds": seconds,
            })
        ),
        Some(StatsFormat::Text) => eprintln!(
            "learned {} documents ({failed} failed), {distinct} distinct lines, {} bytes of profile, {seconds:.3} s",
            builder.docs, bytes,
        ),
        None => {}
    }
    Ok(if failed > 0 {
        Exit::SomeFailed
    } else {
        report.exit()
    })
}

fn write_profile(
    builder: &ProfileBuilder,
    options: u64,
    path: &std::path::Path,
) -> Result<(), Failure> {
    write_file_atomically(path, |w| builder.write(options, w))
}

/// Lists the most frequent lines that are frequent enough to be
/// boilerplate, with the share of their documents where they sit at the
/// start (head) or end (tail). When cleaning, such a line still stays if it
/// belongs to a block of prose copied together (syndicated text).
fn print_top(
    cleaner: &decruft::Cleaner,
    jobs: &[batch::Job],
    builder: &ProfileBuilder,
    n: usize,
    args: &LearnArgs,
    format: &decruft::format::FormatOptions,
) -> Result<(), Failure> {
    let opts = args.corpus.to_options();
    let frequent = builder.frequent(opts.threshold(builder.docs));
    let keys: Vec<u64> = frequent.iter().map(|(k, _)| *k).collect();
    let texts = batch::examples_formats(cleaner, jobs, &keys, format);
    let mut out = io::stdout().lock();
    writeln!(out, "docs\thead%\ttail%\tline").map_err(io_failure)?;
    let mut shown = 0;
    for (key, s) in &frequent {
        let Some(text) = texts.get(key) else { continue };
        if !profile::frequent_enough(s, text, builder.docs, &opts) {
            continue;
        }
        let pct = |x: u32| 100.0 * f64::from(x) / f64::from(s.docs.max(1));
        writeln!(
            out,
            "{}\t{:.0}\t{:.0}\t{text}",
            s.docs,
            pct(s.head),
            pct(s.tail),
        )
        .map_err(io_failure)?;
        shown += 1;
        if shown == n {
            break;
        }
    }
    Ok(())
}

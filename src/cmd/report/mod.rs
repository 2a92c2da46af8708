//! `decruft report PATH... -o report.html`: one self-contained HTML file
//! that shows what a clean of PATH would remove, and why.
//!
//! Why: nobody runs a cleaner over millions of documents on faith. The
//! report runs exactly the pipeline of `decruft PATH...` (same options,
//! rules, profile or learned corpus, formats), writes no cleaned text, and
//! collects through the library's [`Report`] hook:
//!
//! - the run's [`Stats`], for the summary, identical to `--stats=json`;
//! - every removal of a bounded, deterministic sample of documents (the
//!   `--sample N` documents whose label hashes lowest: stable from run to
//!   run, spread over the whole corpus, decided while the run streams, so
//!   memory is bounded by the sample, not the corpus);
//! - per corpus-boilerplate template, how often it was removed, one example
//!   text and the sampled documents it was removed from.
//!
//! After the run, each sampled document is read again (only its first
//! window, at most [`DOC_BYTES`]) through the same decode, repair and
//! normalise stages, so its lines line up with the removals' line numbers;
//! removed lines are struck through in the page. Kept lines of the sample
//! are checked against the built-in rules without the prose guard to find
//! near-misses. [`render`] turns all this into HTML: summary and tables are
//! written here, the document viewer is a small inline script over an
//! embedded JSON island. No network, no external file.
//!
//! Size: the embedded text is capped at [`TEXT_BUDGET`] bytes whatever
//! `--sample` says, and the tables at a few hundred rows, so the file stays
//! under 20 MB for any corpus (measured: see the README).

mod collect;
mod render;

use super::{
    Exit, Failure, StderrReport, cleaner, print_stats, progress_bar, threads, write_file_atomically,
};
use crate::cli::ReportArgs;
use collect::Collector;
use decruft::batch::{self, BatchOptions, Mode};
use decruft::profile::{Profile, file};
use std::io;
use std::time::Instant;

/// Most bytes of one document's text embedded in the report.
pub const DOC_BYTES: usize = 256 << 10;
/// Most bytes of document text embedded in all.
pub const TEXT_BUDGET: usize = 12 << 20;

pub fn run(args: &ReportArgs) -> Result<Exit, Failure> {
    let started = Instant::now();
    let mut cleaner = cleaner(&args.pipeline)?;
    let format = args.format.to_options(None).map_err(Failure::Usage)?;
    let (jobs, plan_errors) = batch::plan(&args.paths, &Mode::Stream).map_err(Failure::Usage)?;
    if jobs.iter().any(|j| !j.rereadable()) {
        return Err(Failure::Usage(
            "report reads files and folders: each document is read again to show it; standard input cannot be".into(),
        ));
    }
    let report =
        StderrReport::with_progress(progress_bar(&args.progress, &jobs), jobs.len() as u64);
    for e in &plan_errors {
        batch::Report::failed(&report, &e.label, &e.error);
    }
    let threads = threads(args.threads);
    let corpus = args.corpus.to_options();
    // The same decision as the clean command (cmd/clean.rs), keeping the
    // whole profile: the report lists its most frequent lines.
    let mut profile: Option<Profile> = None;
    if let Some(path) = &args.profile {
        let read = std::fs::File::open(path)
            .map_err(|e| e.to_string())
            .and_then(|f| file::read_profile(io::BufReader::new(f)).map_err(|e| e.to_string()));
        let p = read.map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        cleaner = cleaner.with_corpus(p.model(corpus));
        profile = Some(p);
    } else if !args.no_corpus && args.pipeline.to_config().is_ok_and(|c| c.strip) {
        let files = jobs.len();
        if files >= corpus.min_docs as usize || (files > 0 && batch::has_records(&jobs, &format)) {
            report.progress.phase("learning corpus boilerplate");
            let builder = batch::learn_formats(&cleaner, &jobs, threads, &format)
                .map_err(|e| Failure::Fatal(e.to_string()))?;
            let p = builder.finish(cleaner.learn_fingerprint());
            cleaner = cleaner.with_corpus(p.model(corpus));
            profile = Some(p);
        }
    }
    report.progress.phase(&format!("0/{} files", jobs.len()));
    let collector = Collector::new(&report, &jobs, args.sample);
    let batch_opts = BatchOptions {
        threads,
        explain: true,
        format: format.clone(),
        ..BatchOptions::default()
    };
    let result = batch::run(
        &cleaner,
        &jobs,
        &Mode::Stream,
        &batch_opts,
        &collector,
        &mut io::sink(),
    );
    report.progress.phase("writing the report");
    let mut stats = result.map_err(|e| Failure::Fatal(e.to_string()))?;
    stats.files_failed += plan_errors.len() as u64;
    stats.set_elapsed(started.elapsed().as_secs_f64());

    let data = collector.finish(&cleaner, &jobs, &format, profile.as_ref(), corpus);
    let html = render::page(&stats, &data, &args.paths);
    write_file(&args.output, html.as_bytes())?;
    report.progress.finish();
    print_stats(&stats, args.stats);
    Ok(report.exit())
}

/// Writes the report through a temporary file and a rename.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    write_file_atomically(path, |w| w.write_all(bytes))
}

//! `decruft [PATH...]`: clean files, folders or standard input.
//!
//! With several files or folders and no `--profile`, cleaning takes two
//! passes: the first learns which lines recur across the documents (corpus
//! boilerplate), the second cleans with that knowledge.

use super::{Exit, Failure, StderrReport, cleaner, io_failure, print_stats, progress_bar, threads};
use crate::cli::{CleanArgs, ColorArg};
use decruft::batch::{self, BatchOptions, Mode};
use decruft::judge::RuleKind;
use decruft::profile::file::load_model;
use decruft::read::{Compression, Encoder};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(args: &CleanArgs) -> Result<Exit, Failure> {
    let started = Instant::now();
    let mut cleaner = cleaner(&args.pipeline)?;
    if args.list_rules {
        return list_rules(&cleaner);
    }
    let mode = match (&args.output, args.in_place) {
        (Some(dir), _) => Mode::OutputDir(dir.clone()),
        (None, true) => Mode::InPlace,
        (None, false) => Mode::Stream,
    };
    let paths = if args.paths.is_empty() {
        if mode != Mode::Stream {
            return Err(Failure::Usage(
                "-o and --in-place need file or folder paths".into(),
            ));
        }
        vec![PathBuf::from("-")]
    } else {
        args.paths.clone()
    };
    let format = args
        .format
        .to_options(args.compress)
        .map_err(Failure::Usage)?;
    let (mut jobs, plan_errors) = batch::plan(&paths, &mode).map_err(Failure::Usage)?;
    if let (Mode::OutputDir(_), Some(c)) = (&mode, format.compress) {
        batch::rename_outputs(&mut jobs, c);
    }
    // --diff reads each input twice (raw and cleaned): standard input is
    // spooled to a temporary file first, still named <stdin>.
    let _spool = if args.diff {
        spool_stdin(&mut jobs)?
    } else {
        None
    };
    let report =
        StderrReport::with_progress(progress_bar(&args.progress, &jobs), jobs.len() as u64);
    for e in &plan_errors {
        batch::Report::failed(&report, &e.label, &e.error);
    }
    let threads = threads(args.threads);
    let corpus = args.corpus.to_options();
    if let Some(path) = &args.profile {
        let (model, _) = load_model(path, corpus)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        cleaner = cleaner.with_corpus(model);
    } else if !args.no_corpus && args.pipeline.to_config().is_ok_and(|c| c.strip) {
        let files = jobs.iter().filter(|j| j.rereadable()).count();
        // A JSON Lines, WET or document-stream file holds many documents:
        // one such file is already a corpus.
        if files >= corpus.min_docs as usize || (files > 0 && batch::has_records(&jobs, &format)) {
            report.progress.phase("learning corpus boilerplate");
            let builder = batch::learn_formats(&cleaner, &jobs, threads, &format)
                .map_err(|e| Failure::Fatal(e.to_string()))?;
            cleaner = cleaner.with_corpus(builder.model(corpus));
        }
    }

    let batch_opts = BatchOptions {
        threads,
        explain: args.explain,
        format,
        ..BatchOptions::default()
    };
    report.progress.phase(&format!("0/{} files", jobs.len()));
    let stdout = io::stdout();
    if args.diff {
        let colour = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        let mut out = io::BufWriter::with_capacity(256 << 10, stdout.lock());
        let result = super::diff::run(&cleaner, &jobs, &batch_opts, &report, &mut out, colour);
        report.progress.finish();
        let mut stats = result?;
        stats.files_failed += plan_errors.len() as u64;
        stats.set_elapsed(started.elapsed().as_secs_f64());
        print_stats(&stats, args.stats);
        return Ok(report.exit());
    }
    let out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(io::LineWriter::new(stdout.lock()))
    } else {
        Box::new(io::BufWriter::with_capacity(256 << 10, stdout.lock()))
    };
    // Standard output is compressed only when asked (--compress).
    let codec = match mode {
        Mode::Stream => batch_opts.format.compress.unwrap_or_default(),
        _ => Compression::None,
    };
    let mut out = Encoder::new(out, codec).map_err(io_failure)?;
    let result = batch::run(&cleaner, &jobs, &mode, &batch_opts, &report, &mut out);
    report.progress.finish();
    let mut stats = match result {
        Ok(stats) => stats,
        Err(e) if e.is_broken_pipe() => return Err(Failure::BrokenPipe),
        Err(e) => return Err(Failure::Fatal(e.to_string())),
    };
    out.finish()
        .and_then(|mut w| w.flush())
        .map_err(io_failure)?;
    stats.files_failed += plan_errors.len() as u64;
    stats.set_elapsed(started.elapsed().as_secs_f64());
    print_stats(&stats, args.stats);
    Ok(report.exit())
}

/// Copies standard input to a temporary file and points its job there.
fn spool_stdin(jobs: &mut [batch::Job]) -> Result<Option<tempfile::TempPath>, Failure> {
    let Some(job) = jobs.iter_mut().find(|j| j.source == batch::Source::Stdin) else {
        return Ok(None);
    };
    let fail = |e: io::Error| Failure::Fatal(format!("cannot spool standard input: {e}"));
    let mut tmp = tempfile::NamedTempFile::new().map_err(fail)?;
    io::copy(&mut io::stdin().lock(), tmp.as_file_mut()).map_err(fail)?;
    let path = tmp.into_temp_path();
    job.source = batch::Source::File(path.to_path_buf());
    Ok(Some(path))
}

fn list_rules(cleaner: &decruft::Cleaner) -> Result<Exit, Failure> {
    let mut out = io::stdout().lock();
    for rule in cleaner.rules().rules() {
        let kind = match rule.kind {
            RuleKind::Line => "line",
            RuleKind::Span => "span",
        };
        writeln!(out, "{}\t{kind}\t{}", rule.name, rule.pattern).map_err(io_failure)?;
    }
    Ok(Exit::Ok)
}

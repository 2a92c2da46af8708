//! `decruft [PATH...]`: clean files, folders or standard input.
//!
//! With several files or folders and no `--profile`, cleaning takes two
//! passes: the first learns which lines recur across the documents (corpus
//! boilerplate), the second cleans with that knowledge.

use super::{Exit, Failure, StderrReport, cleaner, io_failure, print_stats, threads};
use crate::cli::CleanArgs;
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
    let report = StderrReport::new();
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
            let builder = batch::learn_formats(&cleaner, &jobs, threads, &format)
                .map_err(|e| Failure::Fatal(e.to_string()))?;
            let profile = builder.finish(cleaner.learn_fingerprint());
            cleaner = cleaner.with_corpus(profile.model(corpus));
        }
    }

    let batch_opts = BatchOptions {
        threads,
        explain: args.explain,
        format,
        ..BatchOptions::default()
    };
    let stdout = io::stdout();
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
    let mut stats = match batch::run(&cleaner, &jobs, &mode, &batch_opts, &report, &mut out) {
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

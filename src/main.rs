//! The decruft binary: parse options, build the cleaner, run, map the
//! outcome to an exit code. All the work is in the library.

mod cli;

use clap::Parser;
use cli::{Opts, StatsFormat};
use decruft::batch::{self, BatchOptions, Mode};
use decruft::{Cleaner, Error, Removal, RuleSetBuilder};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Exit statuses: the contract in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Ok = 0,
    SomeFailed = 1,
    Usage = 2,
}

fn main() -> ExitCode {
    let opts = Opts::parse();
    let code = match run(&opts) {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            eprintln!("decruft: {msg}");
            Exit::Usage
        }
        // A closed pipe (`decruft big.txt | head`) is how a reader says it
        // has enough: end quietly and successfully.
        Err(Failure::BrokenPipe) => Exit::Ok,
        Err(Failure::Fatal(msg)) => {
            eprintln!("decruft: {msg}");
            Exit::SomeFailed
        }
    };
    ExitCode::from(code as u8)
}

enum Failure {
    Usage(String),
    BrokenPipe,
    Fatal(String),
}

/// Prints per-file problems and `--explain` lines; remembers that something
/// failed so `main` can choose the exit status (ripgrep's `messages.rs`).
struct StderrReport {
    errored: AtomicBool,
}

impl batch::Report for StderrReport {
    fn failed(&self, label: &str, error: &Error) {
        self.errored.store(true, Ordering::Relaxed);
        let _ = writeln!(io::stderr().lock(), "decruft: {label}: {error}");
    }

    fn removed(&self, label: &str, r: &Removal<'_>) {
        let reason = if r.span {
            format!("{} (span)", r.reason)
        } else {
            r.reason.to_string()
        };
        let _ = writeln!(
            io::stderr().lock(),
            "{label}:{}\t{reason}\t{}",
            r.line,
            r.text
        );
    }
}

fn run(opts: &Opts) -> Result<Exit, Failure> {
    let started = Instant::now();
    let config = opts.to_config().map_err(Failure::Usage)?;
    let mut builder = RuleSetBuilder::new();
    builder.builtin(!opts.no_builtin_rules);
    for path in &opts.rules {
        builder
            .rules_file(path)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let rules = builder.build().map_err(|e| Failure::Usage(e.to_string()))?;
    if opts.list_rules {
        let mut out = io::stdout().lock();
        for rule in rules.rules() {
            let kind = match rule.kind {
                decruft::judge::RuleKind::Line => "line",
                decruft::judge::RuleKind::Span => "span",
            };
            writeln!(out, "{}\t{kind}\t{}", rule.name, rule.pattern).map_err(io_failure)?;
        }
        return Ok(Exit::Ok);
    }
    let cleaner = Cleaner::new(config, rules);

    let mode = match (&opts.output, opts.in_place) {
        (Some(dir), _) => Mode::OutputDir(dir.clone()),
        (None, true) => Mode::InPlace,
        (None, false) => Mode::Stream,
    };
    let paths = if opts.paths.is_empty() {
        if mode != Mode::Stream {
            return Err(Failure::Usage(
                "-o and --in-place need file or folder paths".into(),
            ));
        }
        vec![PathBuf::from("-")]
    } else {
        opts.paths.clone()
    };
    let (jobs, plan_errors) = batch::plan(&paths, &mode).map_err(Failure::Usage)?;
    let report = StderrReport {
        errored: AtomicBool::new(false),
    };
    for e in &plan_errors {
        batch::Report::failed(&report, &e.label, &e.error);
    }

    let batch_opts = BatchOptions {
        threads: opts
            .threads
            .map_or_else(|| BatchOptions::default().threads, |n| n.get()),
        explain: opts.explain,
        ..BatchOptions::default()
    };
    let stdout = io::stdout();
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(io::LineWriter::new(stdout.lock()))
    } else {
        Box::new(io::BufWriter::with_capacity(256 << 10, stdout.lock()))
    };
    let result = batch::run(&cleaner, &jobs, &mode, &batch_opts, &report, &mut out);
    let mut stats = match result {
        Ok(stats) => stats,
        Err(e) if e.is_broken_pipe() => return Err(Failure::BrokenPipe),
        Err(e) => return Err(Failure::Fatal(e.to_string())),
    };
    if let Err(e) = out.flush() {
        return Err(io_failure(e));
    }
    stats.files_failed += plan_errors.len() as u64;
    stats.set_elapsed(started.elapsed().as_secs_f64());
    match opts.stats {
        Some(StatsFormat::Json) => eprintln!("{}", stats.to_json()),
        Some(StatsFormat::Text) => eprintln!("{stats}"),
        None => {}
    }
    Ok(if report.errored.load(Ordering::Relaxed) {
        Exit::SomeFailed
    } else {
        Exit::Ok
    })
}

fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Fatal(format!("cannot write output: {}", batch::io_cause(&e)))
    }
}

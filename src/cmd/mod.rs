//! What the commands share: exit statuses, error reporting to standard
//! error, and building the cleaner from the pipeline options.

pub mod clean;
pub mod completions;
pub mod diff;
pub mod learn;
pub mod pipes;
pub mod report;

use crate::cli::{PipelineArgs, ProgressArgs, StatsFormat};
use crate::progress::{Progress, When};
use decruft::batch::{self, BatchOptions};
use decruft::{Cleaner, Error, Removal, RuleSetBuilder, Stats};
use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Exit statuses: the contract in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every input was processed.
    Ok = 0,
    /// At least one input failed; the others were processed.
    SomeFailed = 1,
    /// The command line was wrong; nothing was processed.
    Usage = 2,
}

/// Why a command stopped early.
pub enum Failure {
    /// Bad options: exit 2.
    Usage(String),
    /// The reader of our output went away: exit 0, quietly.
    BrokenPipe,
    /// Something that ends the whole run: exit 1.
    Fatal(String),
}

/// Prints per-file problems and `--explain` lines; remembers that something
/// failed so the command can choose the exit status (ripgrep's
/// `messages.rs`). Each message is one locked write, so workers never
/// interleave within a line.
pub struct StderrReport {
    errored: AtomicBool,
    /// The progress bar, hidden while a message is written.
    pub progress: Progress,
    files: u64,
    done: AtomicU64,
}

impl StderrReport {
    pub fn new() -> Self {
        StderrReport::with_progress(Progress::none(), 0)
    }

    /// A report that also advances `progress`, a bar over `files` inputs.
    pub fn with_progress(progress: Progress, files: u64) -> Self {
        StderrReport {
            errored: AtomicBool::new(false),
            progress,
            files,
            done: AtomicU64::new(0),
        }
    }

    /// The exit status so far.
    pub fn exit(&self) -> Exit {
        if self.errored.load(Ordering::Relaxed) {
            Exit::SomeFailed
        } else {
            Exit::Ok
        }
    }
}

impl batch::Report for StderrReport {
    fn failed(&self, label: &str, error: &Error) {
        self.errored.store(true, Ordering::Relaxed);
        self.progress
            .suspend(|| writeln!(io::stderr().lock(), "decruft: {label}: {error}"))
            .ok();
    }

    fn removed(&self, label: &str, r: &Removal<'_>) {
        let span = if r.span { " (span)" } else { "" };
        self.progress
            .suspend(|| {
                writeln!(
                    io::stderr().lock(),
                    "{label}:{}\t{}{span}\t{}",
                    r.line,
                    r.reason,
                    r.text
                )
            })
            .ok();
    }

    fn warning(&self, label: &str, message: &str) {
        self.progress
            .suspend(|| writeln!(io::stderr().lock(), "decruft: {label}: {message}"))
            .ok();
    }

    fn progress(&self, _label: &str, bytes: u64) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.progress.file_done(bytes, done, self.files);
    }
}

/// A progress bar for these jobs, as `--progress`/`--no-progress` say.
pub fn progress_bar(args: &ProgressArgs, jobs: &[batch::Job]) -> Progress {
    let bytes = jobs.iter().map(batch::input_size).sum();
    Progress::new(
        When::from_flags(args.progress, args.no_progress),
        jobs.len() as u64,
        bytes,
    )
}

/// Builds the cleaner the pipeline options describe.
pub fn cleaner(args: &PipelineArgs) -> Result<Cleaner, Failure> {
    let config = args.to_config().map_err(Failure::Usage)?;
    let mut builder = RuleSetBuilder::new();
    builder.builtin(!args.no_builtin_rules);
    for path in &args.rules {
        builder
            .rules_file(path)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let rules = builder.build().map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(Cleaner::new(config, rules))
}

/// Worker threads: the flag, or every core.
pub fn threads(flag: Option<NonZeroUsize>) -> usize {
    flag.map_or_else(|| BatchOptions::default().threads, |n| n.get())
}

/// Prints `--stats` in the chosen format.
pub fn print_stats(stats: &Stats, format: Option<StatsFormat>) {
    match format {
        Some(StatsFormat::Json) => eprintln!("{}", stats.to_json()),
        Some(StatsFormat::Text) => eprintln!("{stats}"),
        None => {}
    }
}

/// Maps an output error to a failure, a closed pipe to a quiet end.
pub fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Fatal(format!("cannot write output: {}", batch::io_cause(&e)))
    }
}

/// Writes a file the way every command writes its output file: through a
/// temporary file in the same folder and a rename, so a failure never
/// leaves half a file, with an ordinary file's mode.
pub fn write_file_atomically(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Failure> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let fail =
        |e: io::Error| Failure::Fatal(format!("{}: {}", path.display(), batch::io_cause(&e)));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w).map_err(fail)?;
        w.flush().map_err(fail)?;
    }
    batch::set_ordinary_mode(tmp.path());
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

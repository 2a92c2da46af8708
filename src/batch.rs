//! Read stage and batch driver: paths in, cleaned files or one output
//! stream out, in parallel, in input order.
//!
//! [`plan`] turns the user's paths into [`Job`]s: standard input, files, and
//! every regular file under each folder (sorted, symlinks inside folders not
//! followed, so a link loop cannot trap the walk). With an output folder,
//! each file's path relative to the folder it was found under is mirrored.
//!
//! [`run`] cleans the jobs on a rayon pool of the requested size, one
//! [`Worker`] per thread. Files written to disk go through a temporary file
//! in the destination folder and a rename, so a crash or a full disk never
//! leaves a half-written file and never touches the input. Output to one
//! stream is written whole per file and in input order whatever the thread
//! count; small files are cleaned in parallel batches into memory, large
//! ones (and standard input) stream straight through in bounded memory.
//!
//! Each input is opened by [`crate::read`] (gzip and zstd undone by magic
//! bytes) and read in the [`crate::format`] its name or first line says:
//! plain text is one document; JSON Lines, WET and `--doc-separator`
//! streams are cut into chunks of records that the same pool cleans in
//! parallel, in input order. With `-o DIR` each output keeps its input's
//! compression unless `--compress` says otherwise; output to one stream is
//! compressed (or not) by the caller.
//!
//! A failing job is reported through [`Report::failed`] and the run goes on.

use crate::clean::{Cleaner, Removal, Worker};
use crate::error::{Error, Result};
use crate::format::{self, FormatOptions, Kind, Sink, plain};
use crate::profile::ProfileBuilder;
use crate::read::{self, Compression, Encoder, Input};
use crate::stats::Stats;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where one input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

/// Where cleaned output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// All output to one stream (standard output), in input order.
    Stream,
    /// Each file to a mirrored path under this folder (`-o DIR`).
    OutputDir(PathBuf),
    /// Each file rewritten atomically (`--in-place`).
    InPlace,
}

/// One input to clean.
#[derive(Debug, Clone)]
pub struct Job {
    /// The input.
    pub source: Source,
    /// How messages name it: the path as found, or `<stdin>`.
    pub label: String,
    /// Output file, for [`Mode::OutputDir`] and [`Mode::InPlace`].
    pub dest: Option<PathBuf>,
}

impl Job {
    /// Can this input be read more than once? Only a regular file can:
    /// standard input, a FIFO or a device would lose what a learning pass
    /// or a format sniff read from it.
    pub fn rereadable(&self) -> bool {
        match &self.source {
            Source::Stdin => false,
            Source::File(p) => fs::metadata(p).is_ok_and(|m| m.is_file()),
        }
    }
}

/// Receives what happens during a run; implemented by the CLI. Called from
/// worker threads.
pub trait Report: Sync {
    /// A job failed; the run goes on.
    fn failed(&self, label: &str, error: &Error);
    /// A line or span was removed (only when `explain` is on). For record
    /// formats the label is `FILE:RECORD`.
    fn removed(&self, label: &str, removal: &Removal<'_>);
    /// A record of a file had a problem that does not fail the file (a
    /// malformed JSON line under `--on-error keep|skip`); `label` is
    /// `FILE:RECORD`. By default printed as `decruft: FILE:RECORD: cause`
    /// on standard error, without changing the exit status.
    fn warning(&self, label: &str, message: &str) {
        let _ = writeln!(io::stderr().lock(), "decruft: {label}: {message}");
    }
    /// A job is done (cleaned or failed); `bytes` is the size of its input
    /// on disk (0 for standard input). Called once per job, from worker
    /// threads, in any order; a progress bar sums them. Does nothing by
    /// default.
    fn progress(&self, label: &str, bytes: u64) {
        let _ = (label, bytes);
    }
}

/// Lets the formats report through a [`Report`].
struct ReportSink<'a>(&'a dyn Report);

impl Sink for ReportSink<'_> {
    fn removed(&self, label: &str, removal: &Removal<'_>) {
        self.0.removed(label, removal);
    }
    fn warning(&self, label: &str, message: &str) {
        self.0.warning(label, message);
    }
}

/// Says nothing: the learning pass leaves reporting to the cleaning pass.
struct Quiet;

impl Sink for Quiet {
    fn removed(&self, _: &str, _: &Removal<'_>) {}
    fn warning(&self, _: &str, _: &str) {}
}

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads.
    pub threads: usize,
    /// Report every removal.
    pub explain: bool,
    /// Files at most this large are cleaned in memory in parallel when
    /// writing to one stream; larger ones stream through.
    pub stream_threshold: u64,
    /// Input formats and output compression.
    pub format: FormatOptions,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            explain: false,
            stream_threshold: 16 << 20,
            format: FormatOptions::default(),
        }
    }
}

/// A path problem found while planning, reported like a failed job.
#[derive(Debug)]
pub struct PlanError {
    /// The path as the user gave or the walk found it.
    pub label: String,
    /// What is wrong.
    pub error: Error,
}

/// Turns paths into jobs. Inputs that cannot be used (missing, unreadable
/// folders, output collisions) come back as errors; the rest still run.
/// A usage problem that makes the whole run unsafe (an output folder inside
/// an input folder) is an `Err`.
pub fn plan(
    paths: &[PathBuf],
    mode: &Mode,
) -> std::result::Result<(Vec<Job>, Vec<PlanError>), String> {
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    let out_dir = match mode {
        Mode::OutputDir(d) => Some(absolute(d)),
        _ => None,
    };
    for path in paths {
        if path.as_os_str() == "-" {
            if *mode != Mode::Stream {
                return Err("standard input ('-') can only be cleaned to standard output".into());
            }
            jobs.push(Job {
                source: Source::Stdin,
                label: "<stdin>".into(),
                dest: None,
            });
            continue;
        }
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(PlanError {
                    label: path.display().to_string(),
                    error: Error::Input {
                        message: io_cause(&e),
                    },
                });
                continue;
            }
        };
        if meta.is_dir() {
            if let Some(out) = &out_dir {
                let root = absolute(path);
                if out.starts_with(&root) {
                    return Err(format!(
                        "output folder {} is inside input folder {}: choose an output folder outside the input",
                        out.display(),
                        path.display()
                    ));
                }
            }
            walk(path, mode, &mut jobs, &mut errors);
        } else {
            let dest = match mode {
                Mode::OutputDir(d) => Some(d.join(path.file_name().unwrap_or(path.as_os_str()))),
                Mode::InPlace => Some(path.clone()),
                Mode::Stream => None,
            };
            jobs.push(Job {
                source: Source::File(path.clone()),
                label: path.display().to_string(),
                dest,
            });
        }
    }
    if let Some(out) = &out_dir {
        check_collisions(&mut jobs, &mut errors, out);
    }
    Ok((jobs, errors))
}

fn walk(root: &Path, mode: &Mode, jobs: &mut Vec<Job>, errors: &mut Vec<PlanError>) {
    let entries = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let label = e.path().unwrap_or(root).display().to_string();
                let message = match e.io_error() {
                    Some(io) => io_cause(io),
                    None => e.to_string(),
                };
                errors.push(PlanError {
                    label,
                    error: Error::Input { message },
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let dest = match mode {
            Mode::OutputDir(d) => Some(d.join(path.strip_prefix(root).unwrap_or(&path))),
            Mode::InPlace => Some(path.clone()),
            Mode::Stream => None,
        };
        jobs.push(Job {
            label: path.display().to_string(),
            source: Source::File(path),
            dest,
        });
    }
}

/// Two inputs mapped to one output file: the later one fails rather than
/// silently overwriting the first.
fn check_collisions(jobs: &mut Vec<Job>, errors: &mut Vec<PlanError>, out: &Path) {
    let mut seen: HashMap<PathBuf, String> = HashMap::new();
    jobs.retain(|job| {
        let Some(dest) = &job.dest else { return true };
        let key = absolute(dest);
        if let Source::File(src) = &job.source
            && (absolute(src) == key || absolute(src).starts_with(out))
        {
            errors.push(PlanError {
                label: job.label.clone(),
                error: Error::Input {
                    message: "input lies inside the output folder; skipped".into(),
                },
            });
            return false;
        }
        if let Some(first) = seen.get(&key) {
            errors.push(PlanError {
                label: job.label.clone(),
                error: Error::Input {
                    message: format!(
                        "output {} is already written from {first}; skipped",
                        dest.display()
                    ),
                },
            });
            return false;
        }
        seen.insert(key, job.label.clone());
        true
    });
}

/// An absolute, symlink-resolved form of a path that may not exist yet.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        (_, Some(name)) => std::env::current_dir().unwrap_or_default().join(name),
        _ => path.to_path_buf(),
    }
}

/// The cause of an I/O error in words, without Rust's "(os error N)".
pub fn io_cause(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Cleans every job. Returns the summed statistics; `Err` only when the
/// output stream itself fails (a closed pipe), which ends the run.
pub fn run(
    cleaner: &Cleaner,
    jobs: &[Job],
    mode: &Mode,
    opts: &BatchOptions,
    report: &dyn Report,
    stream: &mut dyn Write,
) -> Result<Stats> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| Error::Input {
            message: format!("cannot start worker threads: {e}"),
        })?;
    let pool = std::sync::Arc::new(pool);
    // With threads to spare, a large file's windows are judged on all of
    // them while the file is read and written, so one big input uses every
    // core too.
    let cleaner = &if opts.threads > 1 {
        cleaner.clone().with_window_threads(pool.clone())
    } else {
        cleaner.clone()
    };
    match mode {
        Mode::Stream => run_stream(&pool, cleaner, jobs, opts, report, stream),
        _ => Ok(pool.install(|| run_files(&pool, cleaner, jobs, opts, report))),
    }
}

fn path_of(source: &Source) -> Option<&Path> {
    match source {
        Source::Stdin => None,
        Source::File(p) => Some(p),
    }
}

/// Opens a job's input and decides its format.
fn open(job: &Job, format: &FormatOptions) -> Result<(Input, Kind)> {
    let path = path_of(&job.source);
    let mut input = read::open(path).map_err(|e| Error::Input {
        message: io_cause(&e),
    })?;
    let head = input.reader.fill_buf().map_err(|e| Error::Input {
        message: io_cause(&e),
    })?;
    let kind = format.resolve(path, head);
    Ok((input, kind))
}

/// Cleans one job into `out`, reporting removals. With `keep_compression`
/// (output files) the output is compressed as `--compress` says, or as the
/// input was; otherwise it is written plain.
#[allow(clippy::too_many_arguments)]
fn clean_one(
    pool: &rayon::ThreadPool,
    cleaner: &Cleaner,
    worker: &mut Worker,
    job: &Job,
    opts: &BatchOptions,
    report: &dyn Report,
    out: &mut dyn Write,
    keep_compression: bool,
) -> Result<Stats> {
    let (mut input, kind) = open(job, &opts.format)?;
    let codec = match (keep_compression, opts.format.compress) {
        (false, _) => Compression::None,
        (true, Some(c)) => c,
        (true, None) => input.compression,
    };
    let mut out = Encoder::new(out, codec)?;
    let stats = match opts.format.format(kind) {
        None => {
            let mut on_removal = |r: &Removal<'_>| report.removed(&job.label, r);
            let explain: Option<&mut dyn FnMut(&Removal<'_>)> = if opts.explain {
                Some(&mut on_removal)
            } else {
                None
            };
            plain::clean(worker, &mut *input.reader, &mut out, explain)?
        }
        Some(f) => {
            let sink = ReportSink(report);
            let cx = format::Context {
                cleaner,
                pool,
                opts: &opts.format,
                label: &job.label,
                sink: &sink,
                explain: opts.explain,
            };
            format::run(&*f, &mut *input.reader, &cx, &mut out)?
        }
    };
    out.finish()?;
    Ok(stats)
}

fn failed_stats() -> Stats {
    Stats {
        files_failed: 1,
        ..Stats::default()
    }
}

fn run_files(
    pool: &rayon::ThreadPool,
    cleaner: &Cleaner,
    jobs: &[Job],
    opts: &BatchOptions,
    report: &dyn Report,
) -> Stats {
    let results: Vec<Stats> = jobs
        .par_iter()
        .map_init(
            || cleaner.worker(),
            |worker, job| {
                let dest = job.dest.as_deref().expect("file jobs have a destination");
                let stats = match write_atomic(
                    dest,
                    matches!(job.source, Source::File(ref p) if p == dest),
                    |w| clean_one(pool, cleaner, worker, job, opts, report, w, true),
                ) {
                    Ok(stats) => stats,
                    Err(e) => {
                        report.failed(&job.label, &e);
                        failed_stats()
                    }
                };
                report.progress(&job.label, input_size(job));
                stats
            },
        )
        .collect();
    let mut total = Stats::default();
    for s in &results {
        total += s;
    }
    total
}

/// Writes `dest` through a temporary file in the same folder and a rename.
/// For an in-place rewrite the file's permissions are kept and the data is
/// synced before the rename, so the original survives any failure.
fn write_atomic(
    dest: &Path,
    in_place: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<Stats>,
) -> Result<Stats> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| Error::Input {
        message: format!(
            "cannot create output folder {}: {}",
            dir.display(),
            io_cause(&e)
        ),
    })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".decruft-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::Input {
            message: format!(
                "cannot create a temporary file in {}: {}",
                dir.display(),
                io_cause(&e)
            ),
        })?;
    let stats = {
        let mut w = BufWriter::with_capacity(256 << 10, tmp.as_file_mut());
        let stats = fill(&mut w)?;
        w.flush().map_err(write_error)?;
        stats
    };
    if in_place {
        tmp.as_file().sync_all().map_err(write_error)?;
        if let Ok(meta) = fs::metadata(dest) {
            let _ = fs::set_permissions(tmp.path(), meta.permissions());
        }
    } else {
        // Temporary files are created private (0600); a cleaned file is an
        // ordinary output and gets the usual mode.
        set_ordinary_mode(tmp.path());
    }
    tmp.persist(dest).map_err(|e| Error::Input {
        message: format!("cannot replace {}: {}", dest.display(), io_cause(&e.error)),
    })?;
    Ok(stats)
}

/// Gives a new output file the mode an ordinary new file gets (0644).
pub fn set_ordinary_mode(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn write_error(e: io::Error) -> Error {
    Error::Input {
        message: format!("write failed: {}", io_cause(&e)),
    }
}

fn run_stream(
    pool: &rayon::ThreadPool,
    cleaner: &Cleaner,
    jobs: &[Job],
    opts: &BatchOptions,
    report: &dyn Report,
    stream: &mut dyn Write,
) -> Result<Stats> {
    let mut total = Stats::default();
    let mut worker = cleaner.worker();
    let batch_size = opts.threads.max(1) * 4;
    let mut i = 0;
    while i < jobs.len() {
        // A run of small files is cleaned in parallel into memory.
        let mut j = i;
        while j < jobs.len() && j - i < batch_size && is_small(&jobs[j], opts) {
            j += 1;
        }
        if j > i {
            let outputs: Vec<(Vec<u8>, Stats)> = pool.install(|| {
                jobs[i..j]
                    .par_iter()
                    .map_init(
                        || cleaner.worker(),
                        |w, job| {
                            let mut buf = Vec::new();
                            let out = match clean_one(
                                pool, cleaner, w, job, opts, report, &mut buf, false,
                            ) {
                                Ok(stats) => (buf, stats),
                                Err(e) => {
                                    report.failed(&job.label, &e);
                                    (Vec::new(), failed_stats())
                                }
                            };
                            report.progress(&job.label, input_size(job));
                            out
                        },
                    )
                    .collect()
            });
            for (buf, stats) in &outputs {
                stream.write_all(buf)?;
                total += stats;
            }
            i = j;
            continue;
        }
        // A large file or standard input streams straight through.
        let job = &jobs[i];
        match clean_one(pool, cleaner, &mut worker, job, opts, report, stream, false) {
            Ok(stats) => total += &stats,
            Err(e) if e.is_broken_pipe() => return Err(e),
            Err(e) => {
                report.failed(&job.label, &e);
                total += &failed_stats();
            }
        }
        report.progress(&job.label, input_size(job));
        i += 1;
    }
    stream.flush()?;
    Ok(total)
}

/// The size of a job's input on disk, for progress: 0 for standard input
/// or a file that cannot be read.
pub fn input_size(job: &Job) -> u64 {
    match &job.source {
        Source::Stdin => 0,
        Source::File(p) => fs::metadata(p).map_or(0, |m| m.len()),
    }
}

fn is_small(job: &Job, opts: &BatchOptions) -> bool {
    match &job.source {
        Source::Stdin => false,
        Source::File(p) => fs::metadata(p).is_ok_and(|m| m.len() <= opts.stream_threshold),
    }
}

/// Learns every file job into one profile builder, in parallel. Inputs
/// that fail are skipped here (the cleaning pass reports them). Standard
/// input is never learned: it can be read only once.
pub fn learn(cleaner: &Cleaner, jobs: &[Job], threads: usize) -> Result<ProfileBuilder> {
    learn_formats(cleaner, jobs, threads, &FormatOptions::default())
}

/// [`learn`] with format options: each document of a JSON Lines, WET or
/// document-stream input is learned as its own document.
pub fn learn_formats(
    cleaner: &Cleaner,
    jobs: &[Job],
    threads: usize,
    format: &FormatOptions,
) -> Result<ProfileBuilder> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Input {
            message: format!("cannot start worker threads: {e}"),
        })?;
    Ok(pool.install(|| {
        jobs.par_iter()
            .filter(|job| job.rereadable())
            .fold(
                || (cleaner.worker(), ProfileBuilder::new()),
                |(mut worker, mut builder), job| {
                    if let Ok((mut input, kind)) = open(job, format) {
                        let _ = match format.format(kind) {
                            None => plain::learn(&mut worker, &mut *input.reader, &mut builder),
                            Some(f) => {
                                let cx = quiet_context(cleaner, &pool, format, job);
                                format::learn(&*f, &mut *input.reader, &cx, &mut builder)
                            }
                        };
                    }
                    (worker, builder)
                },
            )
            .map(|(_, builder)| builder)
            .reduce(ProfileBuilder::new, |mut a, b| {
                a.absorb(b);
                a
            })
    }))
}

/// The context of a pass that writes nothing and reports nothing (learning,
/// finding examples): the cleaning pass reports the same inputs' problems.
fn quiet_context<'a>(
    cleaner: &'a Cleaner,
    pool: &'a rayon::ThreadPool,
    format: &'a FormatOptions,
    job: &'a Job,
) -> format::Context<'a> {
    format::Context {
        cleaner,
        pool,
        opts: format,
        label: &job.label,
        sink: &Quiet,
        explain: false,
    }
}

/// Finds an example text for each wanted key, reading jobs in order until
/// all are found (for `learn --top`, since profiles keep no text).
pub fn examples(cleaner: &Cleaner, jobs: &[Job], wanted: &[u64]) -> HashMap<u64, String> {
    examples_formats(cleaner, jobs, wanted, &FormatOptions::default())
}

/// [`examples`] with format options.
pub fn examples_formats(
    cleaner: &Cleaner,
    jobs: &[Job],
    wanted: &[u64],
    format: &FormatOptions,
) -> HashMap<u64, String> {
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(p) => p,
        Err(_) => return HashMap::new(),
    };
    let wanted: std::collections::HashSet<u64> = wanted.iter().copied().collect();
    let mut found = HashMap::new();
    let mut worker = cleaner.worker();
    for job in jobs.iter().filter(|j| j.rereadable()) {
        if found.len() == wanted.len() {
            break;
        }
        let Ok((mut input, kind)) = open(job, format) else {
            continue;
        };
        let mut f = |key: u64, line: &str| {
            if wanted.contains(&key) {
                found.entry(key).or_insert_with(|| line.to_string());
            }
        };
        let _ = match format.format(kind) {
            None => worker.visit(&mut *input.reader, f).map(|_| ()),
            Some(fmt) => {
                let cx = quiet_context(cleaner, &pool, format, job);
                format::visit(&*fmt, &mut *input.reader, &cx, &mut worker, &mut f)
            }
        };
    }
    found
}

/// Renames the output files of an `-o DIR` run for `--compress`:
/// `a.jsonl.gz` becomes `a.jsonl.zst` with `--compress zstd` and `a.jsonl`
/// with `--compress none`.
pub fn rename_outputs(jobs: &mut [Job], compression: Compression) {
    for job in jobs {
        if let Some(dest) = &job.dest {
            job.dest = Some(compression.rename(dest));
        }
    }
}

/// Whether any job is read as a record format (JSON Lines, WET, document
/// stream): such an input holds many documents, so corpus learning is
/// worth a pass even with fewer files than `--min-docs`.
pub fn has_records(jobs: &[Job], format: &FormatOptions) -> bool {
    jobs.iter()
        .any(|job| job.rereadable() && open(job, format).is_ok_and(|(_, kind)| kind != Kind::Plain))
}

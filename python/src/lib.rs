//! Python bindings for decruft: `decruft._decruft`, wrapped by the pure
//! Python package `decruft` (which adds the datatrove, Spark and Ray steps).
//!
//! Bindings only: every decision is the core crate's. This file turns
//! keyword options into a [`decruft::Config`] exactly as the CLI's
//! `PipelineArgs::to_config` does (same names, `-` → `_`), moves documents
//! in and out of Python, and keeps the rules the issue sets for bindings:
//!
//! * Strings are borrowed (`PyBackedStr` keeps a pointer to the UTF-8 that
//!   CPython caches in the `str`, no copy) and all work runs with the GIL
//!   released ([`Python::detach`]).
//! * Each `Cleaner` owns its rayon pool of `threads` threads, built on first
//!   use and never the global pool. With `threads=1` (the default) no pool
//!   exists at all: work runs on the calling thread.
//! * A forked child never touches its parent's pool (its threads did not
//!   survive the fork): the pool remembers the pid that built it and a child
//!   builds its own. Locks are only ever `try_lock`ed, so a lock held by a
//!   parent thread at fork time cannot hang the child.
//! * Failures are Python exceptions: bad options `TypeError`/`ValueError`,
//!   a document that cannot be cleaned `DecruftError` (a `ValueError`), a
//!   bad profile `ProfileError` (a `DecruftError`), I/O `OSError`. A panic
//!   in the core is caught per document and reported as `DecruftError`.

use decruft::config::{Config, RepeatOptions};
use decruft::decode::{DecodeOptions, encoding_for_label};
use decruft::normalise::{NormaliseOptions, UnicodeForm};
use decruft::profile::{self, CorpusOptions, file};
use decruft::repair::RepairOptions;
use decruft::{RuleSetBuilder, Stats, Worker};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use rayon::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

create_exception!(
    _decruft,
    DecruftError,
    PyValueError,
    "A document could not be cleaned (binary content, a line over max_line, malformed bytes with strict=True)."
);
create_exception!(
    _decruft,
    ProfileError,
    DecruftError,
    "A profile is damaged, of another format version, or learned with other options."
);

// ---------------------------------------------------------------- options

/// Options shared by `Cleaner` and `ProfileBuilder`, parsed from keywords.
struct Options {
    config: Config,
    rules: decruft::RuleSet,
    corpus: CorpusOptions,
    threads: usize,
}

const PIPELINE_OPTIONS: &[&str] = &[
    "rules",
    "no_builtin_rules",
    "no_repeat",
    "repeat_min",
    "no_strip",
    "encoding",
    "tld",
    "strict",
    "no_mojibake",
    "no_entities",
    "keep_tags",
    "nfkc",
    "no_unicode_normalisation",
    "ascii_quotes",
    "window",
    "max_line",
    "min_docs",
    "min_share",
    "threads",
];

fn get<'py, T>(kw: Option<&Bound<'py, PyDict>>, name: &str) -> PyResult<Option<T>>
where
    T: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    let Some(kw) = kw else { return Ok(None) };
    match kw.get_item(name)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v
            .extract::<T>()
            .map(Some)
            .map_err(|e| PyTypeError::new_err(format!("option {name}: {e}"))),
    }
}

fn flag(kw: Option<&Bound<'_, PyDict>>, name: &str) -> PyResult<bool> {
    Ok(get::<bool>(kw, name)?.unwrap_or(false))
}

/// `8M`, `64K`, `1G` or a byte count, as the CLI's `--window`/`--max-line`.
fn size(kw: Option<&Bound<'_, PyDict>>, name: &str, default: usize) -> PyResult<usize> {
    let Some(kw) = kw else { return Ok(default) };
    let Some(v) = kw.get_item(name)?.filter(|v| !v.is_none()) else {
        return Ok(default);
    };
    if let Ok(n) = v.extract::<usize>() {
        return if n > 0 {
            Ok(n)
        } else {
            Err(PyValueError::new_err(format!("option {name}: must be > 0")))
        };
    }
    let s: String = v.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "option {name}: expected an int or a size string like '8M'"
        ))
    })?;
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1usize << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "option {name}: '{s}' is not a size (examples: 65536, 64K, 8M, 1G)"
            ))
        })
}

fn paths(v: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if let Ok(p) = v.extract::<PathBuf>() {
        return Ok(vec![p]);
    }
    let mut out = Vec::new();
    for item in v.try_iter()? {
        out.push(item?.extract::<PathBuf>().map_err(|_| {
            PyTypeError::new_err("option rules: expected a path or a list of paths")
        })?);
    }
    Ok(out)
}

impl Options {
    /// Parses keyword options; `allowed` are the names this caller accepts.
    fn parse(kw: Option<&Bound<'_, PyDict>>, allowed: &[&str]) -> PyResult<Options> {
        if let Some(kw) = kw {
            for key in kw.keys() {
                let key: String = key.extract()?;
                if !allowed.contains(&key.as_str()) {
                    return Err(PyTypeError::new_err(format!(
                        "unknown option '{key}'; options are the CLI's with '-' written '_': {}",
                        allowed.join(", ")
                    )));
                }
            }
        }
        let encoding: Option<String> = get(kw, "encoding")?;
        let forced = match &encoding {
            None => None,
            Some(label) => Some(encoding_for_label(label).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "option encoding: unknown encoding label '{label}' (try utf-8, windows-1252, shift_jis, gbk, utf-16le)"
                ))
            })?),
        };
        let (nfkc, keep) = (flag(kw, "nfkc")?, flag(kw, "no_unicode_normalisation")?);
        if nfkc && keep {
            return Err(PyValueError::new_err(
                "options nfkc and no_unicode_normalisation cannot be used together",
            ));
        }
        let form = if nfkc {
            UnicodeForm::Nfkc
        } else if keep {
            UnicodeForm::Keep
        } else {
            UnicodeForm::Nfc
        };
        let repeat_min =
            get::<u32>(kw, "repeat_min")?.unwrap_or(RepeatOptions::default().min_count);
        if repeat_min < 2 {
            return Err(PyValueError::new_err("option repeat_min: must be >= 2"));
        }
        let defaults = Config::default();
        let config = Config {
            decode: DecodeOptions {
                forced,
                tld: get(kw, "tld")?,
                strict: flag(kw, "strict")?,
            },
            repair: RepairOptions {
                mojibake: !flag(kw, "no_mojibake")?,
                entities: !flag(kw, "no_entities")?,
                strip_tags: !flag(kw, "keep_tags")?,
            },
            normalise: NormaliseOptions {
                form,
                ascii_quotes: flag(kw, "ascii_quotes")?,
            },
            repeat: RepeatOptions {
                enabled: !flag(kw, "no_repeat")?,
                min_count: repeat_min,
                ..RepeatOptions::default()
            },
            strip: !flag(kw, "no_strip")?,
            window: size(kw, "window", defaults.window)?,
            max_line: size(kw, "max_line", defaults.max_line)?,
        };
        let mut builder = RuleSetBuilder::new();
        builder.builtin(!flag(kw, "no_builtin_rules")?);
        if let Some(v) = kw.map(|k| k.get_item("rules")).transpose()?.flatten()
            && !v.is_none()
        {
            for p in paths(&v)? {
                builder
                    .rules_file(&p)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?;
            }
        }
        let rules = builder
            .build()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let d = CorpusOptions::default();
        let min_docs = get::<u32>(kw, "min_docs")?.unwrap_or(d.min_docs);
        if min_docs < 2 {
            return Err(PyValueError::new_err("option min_docs: must be >= 2"));
        }
        let min_share = get::<f64>(kw, "min_share")?.unwrap_or(d.min_share);
        if !(0.0..=1.0).contains(&min_share) {
            return Err(PyValueError::new_err(
                "option min_share: must be a share between 0 and 1 (example: 0.001)",
            ));
        }
        let threads = get::<usize>(kw, "threads")?.unwrap_or(1);
        if threads == 0 {
            return Err(PyValueError::new_err("option threads: must be >= 1"));
        }
        Ok(Options {
            config,
            rules,
            corpus: CorpusOptions {
                min_docs,
                min_share,
                ..d
            },
            threads,
        })
    }
}

// ---------------------------------------------------------------- documents

/// One input document, borrowed from its Python object.
enum Doc {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Doc {
    fn bytes(&self) -> &[u8] {
        match self {
            Doc::Str(s) => s.as_bytes(),
            Doc::Bytes(b) => b,
        }
    }
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn doc_of(v: &Bound<'_, PyAny>, i: Option<usize>, bytes_ok: bool) -> PyResult<(Doc, usize)> {
    let at = i.map(|i| format!("document {i}: ")).unwrap_or_default();
    if let Ok(s) = v.cast::<PyString>() {
        let chars = s.len()?;
        let b = s
            .extract::<PyBackedStr>()
            .map_err(|e| PyValueError::new_err(format!("{at}string is not valid Unicode ({e})")))?;
        return Ok((Doc::Str(b), chars));
    }
    if bytes_ok && v.is_instance_of::<PyBytes>() {
        let b: PyBackedBytes = v.extract()?;
        let n = b.len();
        return Ok((Doc::Bytes(b), n));
    }
    let want = if bytes_ok { "str or bytes" } else { "str" };
    Err(PyTypeError::new_err(format!(
        "{at}expected {want}, got {}",
        type_name(v)
    )))
}

fn docs_of(v: &Bound<'_, PyAny>, bytes_ok: bool) -> PyResult<(Vec<Doc>, u64)> {
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "expected a list of documents, got a single string (use clean() for one document)",
        ));
    }
    let mut docs = Vec::with_capacity(v.len().unwrap_or(0));
    let mut chars = 0u64;
    for (i, item) in v.try_iter()?.enumerate() {
        let (d, n) = doc_of(&item?, Some(i), bytes_ok)?;
        chars += n as u64;
        docs.push(d);
    }
    Ok((docs, chars))
}

// ---------------------------------------------------------------- cleaning

/// One removal as `--explain` reports it, with its line.
struct Removed {
    line: u64,
    reason: String,
    text: String,
    span: bool,
}

/// What cleaning one document gave.
struct Cleaned {
    text: String,
    stats: Stats,
    removed: Vec<Removed>,
}

type Outcome = Result<Cleaned, String>;

/// A `str` is cleaned exactly as a file holding its UTF-8 bytes, except
/// that a NUL character makes it binary: the decoder would otherwise read
/// such bytes as UTF-16, which text already in Unicode never is.
fn nul_in_str(doc: &Doc) -> Option<String> {
    match doc {
        Doc::Str(s) => s.find('\0').map(|at| {
            format!("binary content (NUL character at byte offset {at} of its UTF-8), skipped")
        }),
        Doc::Bytes(_) => None,
    }
}

/// Cleans one document; a core panic becomes an error and the worker, whose
/// state may be half-updated, is replaced.
fn clean_doc(worker: &mut Worker, cleaner: &decruft::Cleaner, doc: &Doc, explain: bool) -> Outcome {
    if let Some(e) = nul_in_str(doc) {
        return Err(e);
    }
    let doc = doc.bytes();
    let mut out = Vec::with_capacity(doc.len());
    let mut removed = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut record = |r: &decruft::Removal<'_>| {
            removed.push(Removed {
                line: r.line,
                reason: r.reason.to_string(),
                text: r.text.to_string(),
                span: r.span,
            })
        };
        let explain: Option<&mut dyn FnMut(&decruft::Removal<'_>)> =
            if explain { Some(&mut record) } else { None };
        worker.clean(doc, &mut out, explain)
    }));
    match result {
        Ok(Ok(stats)) => {
            let text = String::from_utf8(out)
                .map_err(|_| "internal error: output is not UTF-8".to_string())?;
            Ok(Cleaned {
                text,
                stats,
                removed,
            })
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => {
            *worker = cleaner.worker();
            Err("internal error: the cleaner panicked on this document (please report it)".into())
        }
    }
}

/// A rayon pool that knows which process built it.
struct Pool {
    pid: u32,
    pool: Arc<rayon::ThreadPool>,
}

/// The engine behind `Cleaner` and `ProfileBuilder`: the core cleaner, a
/// stash of reusable workers and the optional pool.
struct Engine {
    cleaner: decruft::Cleaner,
    threads: usize,
    pool: Mutex<Option<Pool>>,
    workers: Mutex<Vec<Worker>>,
}

impl Engine {
    fn new(cleaner: decruft::Cleaner, threads: usize) -> Engine {
        Engine {
            cleaner,
            threads,
            pool: Mutex::new(None),
            workers: Mutex::new(Vec::new()),
        }
    }

    fn take_worker(&self) -> Worker {
        self.workers
            .try_lock()
            .ok()
            .and_then(|mut w| w.pop())
            .unwrap_or_else(|| self.cleaner.worker())
    }

    fn give_worker(&self, w: Worker) {
        if let Ok(mut stash) = self.workers.try_lock()
            && stash.len() < self.threads
        {
            stash.push(w);
        }
    }

    /// This process's pool (built in the current process, never the global
    /// one); `None` with one thread.
    fn pool(&self) -> Result<Option<Arc<rayon::ThreadPool>>, String> {
        if self.threads <= 1 {
            return Ok(None);
        }
        let pid = std::process::id();
        let build = || {
            rayon::ThreadPoolBuilder::new()
                .num_threads(self.threads)
                .thread_name(|i| format!("decruft-{i}"))
                .build()
                .map(Arc::new)
                .map_err(|e| format!("cannot start worker threads: {e}"))
        };
        let Ok(mut slot) = self.pool.try_lock() else {
            // Held by another thread (or by a parent thread at fork time):
            // a pool for this call only.
            return build().map(Some);
        };
        if let Some(p) = slot.as_ref().filter(|p| p.pid == pid) {
            return Ok(Some(p.pool.clone()));
        }
        if let Some(stale) = slot.take() {
            // A parent's pool: its threads do not exist in this process, and
            // dropping it would signal them; leak it instead.
            std::mem::forget(stale);
        }
        let pool = build()?;
        *slot = Some(Pool {
            pid,
            pool: pool.clone(),
        });
        Ok(Some(pool))
    }

    /// Runs `f(worker, doc)` over all documents, in order, on this engine's
    /// threads.
    fn map<T: Send>(
        &self,
        docs: &[Doc],
        f: impl Fn(&mut Worker, &Doc) -> T + Sync,
    ) -> Result<Vec<T>, String> {
        match self.pool()? {
            None => {
                let mut w = self.take_worker();
                let out = docs.iter().map(|d| f(&mut w, d)).collect();
                self.give_worker(w);
                Ok(out)
            }
            Some(pool) => {
                let chunk = docs.len().div_ceil(self.threads * 4).max(1);
                Ok(pool.install(|| {
                    docs.par_chunks(chunk)
                        .map(|part| {
                            let mut w = self.take_worker();
                            let out: Vec<T> = part.iter().map(|d| f(&mut w, d)).collect();
                            self.give_worker(w);
                            out
                        })
                        .collect::<Vec<Vec<T>>>()
                        .into_iter()
                        .flatten()
                        .collect()
                }))
            }
        }
    }
}

// ---------------------------------------------------------------- stats

fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match n.as_u64() {
            Some(u) => u.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(0.0).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items: PyResult<Vec<_>> = a.iter().map(|x| json_to_py(py, x)).collect();
            PyList::new(py, items?)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Batch totals beyond `Stats`.
struct Totals {
    stats: Stats,
    chars_in: u64,
    chars_out: u64,
    emptied: u64,
}

/// The `--stats=json` object plus `documents`, `documents_failed`,
/// `documents_emptied`, `chars_in`, `chars_out`.
fn stats_dict<'py>(py: Python<'py>, t: &Totals) -> PyResult<Bound<'py, PyDict>> {
    let v = serde_json::to_value(&t.stats).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let d = json_to_py(py, &v)?.cast_into::<PyDict>()?;
    d.set_item("documents", t.stats.files)?;
    d.set_item("documents_failed", t.stats.files_failed)?;
    d.set_item("documents_emptied", t.emptied)?;
    d.set_item("chars_in", t.chars_in)?;
    d.set_item("chars_out", t.chars_out)?;
    Ok(d)
}

// ---------------------------------------------------------------- explain

/// Byte ranges `[start, end)` of the lines of `text` (without terminators),
/// split on LF, CRLF and a lone CR as the core splits them.
fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // The decoder drops a byte-order mark; it is not part of line 1.
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < b.len() {
        match b[pos..].iter().position(|&c| c == b'\n' || c == b'\r') {
            None => {
                out.push((pos, b.len()));
                pos = b.len();
            }
            Some(i) => {
                let end = pos + i;
                out.push((pos, end));
                pos = if b[end] == b'\r' && b.get(end + 1) == Some(&b'\n') {
                    end + 2
                } else {
                    end + 1
                };
            }
        }
    }
    out
}

/// Finds the removed span `needle` (normalised text) in the raw line: as
/// is, or word by word across any whitespace. `None` when normalisation
/// changed it beyond that (entities, NFC); the caller reports the line.
fn find_span(raw: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    if let Some(i) = raw.find(needle) {
        return Some((i, i + needle.len()));
    }
    let words: Vec<&str> = needle.split_whitespace().collect();
    let first = *words.first()?;
    let mut from = 0;
    while let Some(i) = raw[from..].find(first) {
        let start = from + i;
        let mut at = start + first.len();
        let mut ok = true;
        for w in &words[1..] {
            let rest = &raw[at..];
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() || !trimmed.starts_with(w) {
                ok = false;
                break;
            }
            at += rest.len() - trimmed.len() + w.len();
        }
        if ok {
            return Some((start, at));
        }
        from = start + first.len();
    }
    None
}

/// Removals as `(start, end, reason)` in code points of `text`.
fn spans(text: &str, removed: &[Removed]) -> Vec<(usize, usize, String)> {
    let lines = line_ranges(text);
    let mut cursor = (0usize, 0usize); // (byte, code point)
    let mut cp = |byte: usize| {
        if byte < cursor.0 {
            cursor = (0, 0);
        }
        cursor.1 += text[cursor.0..byte].chars().count();
        cursor.0 = byte;
        cursor.1
    };
    let mut out = Vec::with_capacity(removed.len());
    for r in removed {
        let Some(&(ls, le)) = lines.get((r.line as usize).saturating_sub(1)) else {
            continue;
        };
        let (s, e) = if r.span {
            find_span(&text[ls..le], &r.text).map_or((ls, le), |(a, b)| (ls + a, ls + b))
        } else {
            (ls, le)
        };
        let (a, b) = (cp(s), cp(e));
        out.push((a, b, r.reason.clone()));
    }
    out
}

// ---------------------------------------------------------------- Cleaner

/// Cleans scraped web text: the CLI's pipeline, in memory.
///
/// `Cleaner(profile=None, **options)`: `options` are the CLI's, with `-`
/// written `_` (`no_repeat=True`, `repeat_min=3`, `rules=["site.rules"]`,
/// `window="8M"`, `min_docs=5`, ...) plus `threads` (default 1). `profile`
/// is a `Profile` or the path of a profile file; its corpus boilerplate is
/// removed too, with the `min_docs`/`min_share` thresholds.
#[pyclass(frozen, module = "decruft._decruft", name = "Cleaner")]
struct PyCleaner {
    engine: Engine,
}

fn profile_error(e: file::ProfileError) -> PyErr {
    match e {
        file::ProfileError::Io(io) => io.into(),
        file::ProfileError::Invalid(m) => ProfileError::new_err(m),
    }
}

fn check_options(profile_options: u64, entries: u64, cleaner: &decruft::Cleaner) -> PyResult<()> {
    if entries > 0 && profile_options != cleaner.learn_fingerprint() {
        return Err(ProfileError::new_err(
            "the profile was learned with other options (rules, normalisation, repetition) than this Cleaner's; \
             pass the same options to ProfileBuilder and Cleaner",
        ));
    }
    Ok(())
}

impl PyCleaner {
    fn run(
        &self,
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        explain: bool,
        on_error: &str,
    ) -> PyResult<(Vec<Outcome>, Totals, Vec<Doc>)> {
        let raise = match on_error {
            "raise" => true,
            "none" => false,
            other => {
                return Err(PyValueError::new_err(format!(
                    "on_error must be 'raise' or 'none', not '{other}'"
                )));
            }
        };
        let (docs, chars_in) = docs_of(docs, !explain)?;
        let started = Instant::now();
        let engine = &self.engine;
        let outcomes = py
            .detach(|| engine.map(&docs, |w, d| clean_doc(w, &engine.cleaner, d, explain)))
            .map_err(DecruftError::new_err)?;
        let mut totals = Totals {
            stats: Stats::default(),
            chars_in,
            chars_out: 0,
            emptied: 0,
        };
        for (i, o) in outcomes.iter().enumerate() {
            match o {
                Ok(c) => {
                    totals.stats += &c.stats;
                    totals.emptied += u64::from(c.text.is_empty());
                }
                Err(e) if raise => {
                    return Err(DecruftError::new_err(format!("document {i}: {e}")));
                }
                Err(_) => totals.stats.files_failed += 1,
            }
        }
        totals.stats.set_elapsed(started.elapsed().as_secs_f64());
        Ok((outcomes, totals, docs))
    }
}

#[pymethods]
impl PyCleaner {
    #[new]
    #[pyo3(signature = (profile=None, **options))]
    fn new(
        py: Python<'_>,
        profile: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let o = Options::parse(options, PIPELINE_OPTIONS)?;
        let mut cleaner = decruft::Cleaner::new(o.config, o.rules);
        match profile {
            None => {}
            Some(p) if p.is_none() => {}
            Some(p) => {
                if let Ok(p) = p.cast::<PyProfile>() {
                    let p = p.get();
                    check_options(p.inner.options, p.inner.entries.len() as u64, &cleaner)?;
                    let inner = p.inner.clone();
                    let model = py.detach(|| inner.model(o.corpus));
                    cleaner = cleaner.with_corpus(model);
                } else {
                    let path: PathBuf = p.extract().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "profile: expected a Profile or a path, got {}",
                            type_name(p)
                        ))
                    })?;
                    let corpus = o.corpus;
                    let (model, header) =
                        py.detach(|| file::load_model(&path, corpus))
                            .map_err(|e| match e {
                                file::ProfileError::Io(io) => io.into(),
                                file::ProfileError::Invalid(m) => {
                                    ProfileError::new_err(format!("{}: {m}", path.display()))
                                }
                            })?;
                    check_options(header.options, header.entries, &cleaner)?;
                    cleaner = cleaner.with_corpus(model);
                }
            }
        }
        Ok(PyCleaner {
            engine: Engine::new(cleaner, o.threads),
        })
    }

    /// Cleans one document (`str`, or `bytes` in any encoding, decoded as
    /// the CLI decodes files). Raises `DecruftError` if it cannot be cleaned.
    fn clean(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        let (doc, _) = doc_of(text, None, true)?;
        let engine = &self.engine;
        py.detach(|| {
            let mut w = engine.take_worker();
            let r = clean_doc(&mut w, &engine.cleaner, &doc, false);
            engine.give_worker(w);
            r
        })
        .map(|c| c.text)
        .map_err(DecruftError::new_err)
    }

    /// Cleans a list of documents; returns `(cleaned, stats)`.
    ///
    /// `stats` holds every key of the CLI's `--stats=json` (`files`,
    /// `lines_removed` per reason, ...) plus `documents`,
    /// `documents_failed`, `documents_emptied`, `chars_in`, `chars_out`.
    /// With `on_error="none"` a document that cannot be cleaned gives `None`
    /// instead of raising.
    #[pyo3(signature = (docs, *, on_error = "raise"))]
    fn clean_batch<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
        let (outcomes, mut totals, _) = self.run(py, docs, false, on_error)?;
        let list = PyList::empty(py);
        for o in outcomes {
            match o {
                Ok(c) => {
                    let s = PyString::new(py, &c.text);
                    totals.chars_out += s.len()? as u64;
                    list.append(s)?;
                }
                Err(_) => list.append(py.None())?,
            }
        }
        Ok((list, stats_dict(py, &totals)?))
    }

    /// Explains a list of `str` documents: returns `(removed, stats)` where
    /// `removed[i]` lists `(start, end, reason)` for each line or span
    /// removed from `docs[i]`, in code points of `docs[i]` (`reason` as
    /// `--explain` prints it). A whole-line removal covers the line without
    /// its terminator.
    #[pyo3(signature = (docs, *, on_error = "raise"))]
    fn explain_batch<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
        let (outcomes, mut totals, docs) = self.run(py, docs, true, on_error)?;
        let list = PyList::empty(py);
        let mut chars_out = 0u64;
        let found: Vec<Option<Vec<(usize, usize, String)>>> = py.detach(|| {
            outcomes
                .iter()
                .zip(&docs)
                .map(|(o, d)| match (o, d) {
                    (Ok(c), Doc::Str(s)) => {
                        chars_out += c.text.chars().count() as u64;
                        Some(spans(s, &c.removed))
                    }
                    _ => None,
                })
                .collect()
        });
        totals.chars_out = chars_out;
        for f in found {
            match f {
                Some(v) => list.append(PyList::new(py, v)?)?,
                None => list.append(py.None())?,
            }
        }
        Ok((list, stats_dict(py, &totals)?))
    }

    /// Worker threads of this cleaner's own pool (1: the calling thread).
    #[getter]
    fn threads(&self) -> usize {
        self.engine.threads
    }

    /// Lines of the profile in use that reach the frequency threshold.
    #[getter]
    fn profile_lines(&self) -> usize {
        self.engine.cleaner.corpus().map_or(0, |m| m.len())
    }

    /// The rules in effect as `(name, kind, pattern)`, as `--list-rules`.
    fn rules(&self) -> Vec<(String, String, String)> {
        self.engine
            .cleaner
            .rules()
            .rules()
            .iter()
            .map(|r| {
                let kind = match r.kind {
                    decruft::judge::RuleKind::Line => "line",
                    decruft::judge::RuleKind::Span => "span",
                };
                (r.name.to_string(), kind.to_string(), r.pattern.to_string())
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Cleaner(threads={}, profile_lines={})",
            self.engine.threads,
            self.profile_lines()
        )
    }
}

// ---------------------------------------------------------------- Profile

/// A learned corpus profile: per line template, how many documents hold
/// it, where, and a signature of which. Immutable; `merge` returns a new
/// profile. Pickles as its canonical bytes.
#[pyclass(frozen, module = "decruft._decruft", name = "Profile", eq)]
struct PyProfile {
    inner: Arc<profile::Profile>,
}

impl PartialEq for PyProfile {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

fn new_profile(p: profile::Profile) -> PyProfile {
    PyProfile { inner: Arc::new(p) }
}

#[pymethods]
impl PyProfile {
    /// An empty profile (no documents): the identity of `merge`.
    #[new]
    fn new() -> Self {
        new_profile(profile::Profile::default())
    }

    /// This profile merged with `other` (both unchanged): sums and
    /// register-wise maxima, so any merge order or tree gives the same
    /// profile. Raises `ProfileError` if they were learned with different
    /// options.
    fn merge(&self, py: Python<'_>, other: &Bound<'_, PyProfile>) -> PyResult<PyProfile> {
        let (a, b) = (self.inner.clone(), other.get().inner.clone());
        // `Profile()` (no documents, no options) is the identity either way.
        let blank = |p: &profile::Profile| p.docs == 0 && p.options == 0 && p.entries.is_empty();
        if blank(&b) {
            return Ok(PyProfile { inner: a });
        }
        if blank(&a) {
            return Ok(PyProfile { inner: b });
        }
        py.detach(move || {
            let mut m = (*a).clone();
            m.merge(&b).map(|_| new_profile(m))
        })
        .map_err(ProfileError::new_err)
    }

    /// The canonical bytes (the profile file format).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let inner = self.inner.clone();
        let v = py.detach(move || file::to_bytes(&inner));
        PyBytes::new(py, &v)
    }

    /// Reads a profile from bytes; raises `ProfileError` if damaged.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: PyBackedBytes) -> PyResult<PyProfile> {
        py.detach(|| file::from_bytes(&data))
            .map(new_profile)
            .map_err(profile_error)
    }

    /// Writes the profile file atomically (temporary file, then rename).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let inner = self.inner.clone();
        py.detach(move || -> std::io::Result<()> {
            use std::io::Write;
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                file::write_profile(&inner, &mut w)?;
                w.flush()?;
            }
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        })
        .map_err(PyErr::from)
    }

    /// Reads a profile file; raises `ProfileError` if damaged, `OSError`
    /// if unreadable.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyProfile> {
        py.detach(|| {
            std::fs::File::open(&path)
                .map_err(file::ProfileError::Io)
                .and_then(|f| file::read_profile(std::io::BufReader::new(f)))
        })
        .map(new_profile)
        .map_err(|e| match e {
            file::ProfileError::Io(io) => io.into(),
            file::ProfileError::Invalid(m) => {
                ProfileError::new_err(format!("{}: {m}", path.display()))
            }
        })
    }

    /// Streams a k-way merge of profile files into `output` in memory
    /// bounded by the number of inputs (`decruft learn --merge`); with
    /// `shard=(i, n)` only the i-th of n hash ranges (`--shard I/N`).
    /// Returns `(documents, entries)`.
    #[staticmethod]
    #[pyo3(signature = (inputs, output, shard = None))]
    fn merge_files(
        py: Python<'_>,
        inputs: Vec<PathBuf>,
        output: PathBuf,
        shard: Option<(u64, u64)>,
    ) -> PyResult<(u64, u64)> {
        if let Some((i, n)) = shard
            && (n == 0 || i >= n)
        {
            return Err(PyValueError::new_err("shard: need 0 <= i < n"));
        }
        py.detach(|| file::merge_files(&inputs, &output, shard))
            .map(|h| (h.docs, h.entries))
            .map_err(profile_error)
    }

    /// A 64-bit hash of the canonical bytes: equal profiles, equal
    /// fingerprints.
    fn fingerprint(&self) -> u64 {
        file::fingerprint(&self.inner)
    }

    /// Documents learned from.
    #[getter]
    fn documents(&self) -> u64 {
        self.inner.docs
    }

    /// Fingerprint of the options it was learned with.
    #[getter]
    fn options(&self) -> u64 {
        self.inner.options
    }

    fn __len__(&self) -> usize {
        self.inner.entries.len()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let ctor = py.get_type::<PyProfile>().getattr("from_bytes")?;
        Ok((ctor, PyTuple::new(py, [self.to_bytes(py)])?))
    }

    fn __repr__(&self) -> String {
        format!(
            "Profile(documents={}, lines={}, fingerprint={:#018x})",
            self.inner.docs,
            self.inner.entries.len(),
            self.fingerprint()
        )
    }
}

/// Merges many profiles in a balanced tree, with the GIL released.
#[pyfunction]
fn merge_profiles(py: Python<'_>, profiles: Vec<Bound<'_, PyProfile>>) -> PyResult<PyProfile> {
    let mut parts: Vec<profile::Profile> = profiles
        .iter()
        .map(|p| p.get().inner.clone())
        .filter(|p| !(p.docs == 0 && p.options == 0 && p.entries.is_empty()))
        .map(|p| (*p).clone())
        .collect();
    py.detach(move || -> Result<PyProfile, String> {
        while parts.len() > 1 {
            let mut next = Vec::with_capacity(parts.len().div_ceil(2));
            let mut it = parts.into_iter();
            while let Some(mut a) = it.next() {
                if let Some(b) = it.next() {
                    a.merge(&b)?;
                }
                next.push(a);
            }
            parts = next;
        }
        Ok(new_profile(parts.pop().unwrap_or_default()))
    })
    .map_err(ProfileError::new_err)
}

// ---------------------------------------------------------------- ProfileBuilder

/// Learns a corpus profile from documents: the first pass of the CLI.
///
/// `ProfileBuilder(**options)` takes the same options as `Cleaner` (those
/// that shape learning must match the cleaner's; `min_docs`/`min_share`
/// are accepted and ignored, as by `decruft learn`).
#[pyclass(module = "decruft._decruft", name = "ProfileBuilder")]
struct PyProfileBuilder {
    engine: Engine,
    builder: Option<profile::ProfileBuilder>,
}

#[pymethods]
impl PyProfileBuilder {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let o = Options::parse(options, PIPELINE_OPTIONS)?;
        Ok(PyProfileBuilder {
            engine: Engine::new(decruft::Cleaner::new(o.config, o.rules), o.threads),
            builder: Some(profile::ProfileBuilder::new()),
        })
    }

    /// Learns documents (`str` or `bytes`). A document that cannot be
    /// cleaned adds nothing, as in the CLI. Returns how many were learned.
    fn add_batch(&mut self, py: Python<'_>, docs: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (docs, _) = docs_of(docs, true)?;
        let engine = &self.engine;
        let builder = self
            .builder
            .get_or_insert_with(profile::ProfileBuilder::new);
        let before = builder.docs;
        py.detach(|| -> Result<(), String> {
            match engine.pool()? {
                None => {
                    let mut w = engine.take_worker();
                    for d in docs.iter().filter(|d| nul_in_str(d).is_none()) {
                        let ok = catch_unwind(AssertUnwindSafe(|| {
                            let _ = w.learn(d.bytes(), builder);
                        }));
                        if ok.is_err() {
                            w = engine.cleaner.worker();
                        }
                    }
                    engine.give_worker(w);
                }
                Some(pool) => {
                    let chunk = docs.len().div_ceil(engine.threads * 4).max(1);
                    let part = pool.install(|| {
                        docs.par_chunks(chunk)
                            .map(|part| {
                                let mut w = engine.take_worker();
                                let mut b = profile::ProfileBuilder::new();
                                for d in part.iter().filter(|d| nul_in_str(d).is_none()) {
                                    let ok = catch_unwind(AssertUnwindSafe(|| {
                                        let _ = w.learn(d.bytes(), &mut b);
                                    }));
                                    if ok.is_err() {
                                        w = engine.cleaner.worker();
                                    }
                                }
                                engine.give_worker(w);
                                b
                            })
                            .reduce(profile::ProfileBuilder::new, |mut a, b| {
                                a.absorb(b);
                                a
                            })
                    });
                    builder.absorb(part);
                }
            }
            Ok(())
        })
        .map_err(DecruftError::new_err)?;
        Ok(builder.docs - before)
    }

    /// Documents learned so far.
    #[getter]
    fn documents(&self) -> u64 {
        self.builder.as_ref().map_or(0, |b| b.docs)
    }

    /// The learned profile. The builder starts over empty afterwards.
    fn finish(&mut self, py: Python<'_>) -> PyProfile {
        let b = self.builder.take().unwrap_or_default();
        self.builder = Some(profile::ProfileBuilder::new());
        let options = self.engine.cleaner.learn_fingerprint();
        py.detach(move || new_profile(b.finish(options)))
    }

    fn __repr__(&self) -> String {
        format!("ProfileBuilder(documents={})", self.documents())
    }
}

/// The native module; `decruft/__init__.py` re-exports it.
#[pymodule]
fn _decruft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyCleaner>()?;
    m.add_class::<PyProfile>()?;
    m.add_class::<PyProfileBuilder>()?;
    m.add_function(wrap_pyfunction!(merge_profiles, m)?)?;
    m.add("DecruftError", py.get_type::<DecruftError>())?;
    m.add("ProfileError", py.get_type::<ProfileError>())?;
    m.add("OPTIONS", PIPELINE_OPTIONS.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

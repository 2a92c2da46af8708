//! Gathers what the report shows while the run streams, then reads the
//! sampled documents again to show them whole.

use super::{DOC_BYTES, TEXT_BUDGET};
use crate::cmd::StderrReport;
use decruft::batch::{Job, Report, Source};
use decruft::decode::DecodingReader;
use decruft::format::{FormatOptions, Kind, jsonl, trim_eol};
use decruft::judge::{KeyMaker, RuleKind, RuleSet, RuleSetBuilder};
use decruft::lines::{LineBuffer, split_lines};
use decruft::normalise::Normaliser;
use decruft::profile::{CorpusOptions, Profile, frequent_enough};
use decruft::repair::{RepairCounts, repair};
use decruft::{Cleaner, Error, Removal};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Read};
use std::sync::Mutex;

/// Rows of the boilerplate and near-miss tables.
const TOP_ROWS: usize = 100;
/// Near-miss rows of each kind.
const NEAR_ROWS: usize = 200;
/// Example documents linked from one table row.
const EXAMPLES: usize = 5;

/// One removal of a sampled document.
#[derive(Debug, Clone)]
struct Rem {
    line: u64,
    reason: String,
    text: String,
    span: bool,
}

/// What is known of one corpus-boilerplate template from the run.
#[derive(Debug, Default)]
struct Hits {
    /// Lines removed with this template.
    removed: u64,
    /// One removed text.
    text: String,
}

thread_local! {
    static KEYS: RefCell<KeyMaker> = RefCell::new(KeyMaker::new());
}

/// The [`Report`] of a report run: passes failures and progress to the
/// standard-error report, keeps removals of the sample.
pub struct Collector<'a> {
    inner: &'a StderrReport,
    cap: usize,
    /// Sampled documents by (label hash, label): the `cap` lowest hashes.
    sample: Mutex<BTreeMap<(u64, String), Vec<Rem>>>,
    corpus: Mutex<HashMap<u64, Hits>>,
    failures: Mutex<Vec<(String, String)>>,
}

fn hash(label: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(label.as_bytes())
}

impl<'a> Collector<'a> {
    /// A collector sampling `cap` documents; every input file starts as a
    /// candidate, so documents without removals can be sampled too.
    pub fn new(inner: &'a StderrReport, jobs: &[Job], cap: usize) -> Collector<'a> {
        let mut sample = BTreeMap::new();
        for job in jobs {
            sample.insert((hash(&job.label), job.label.clone()), Vec::new());
            if sample.len() > cap {
                sample.pop_last();
            }
        }
        Collector {
            inner,
            cap,
            sample: Mutex::new(sample),
            corpus: Mutex::new(HashMap::new()),
            failures: Mutex::new(Vec::new()),
        }
    }
}

impl Report for Collector<'_> {
    fn failed(&self, label: &str, error: &Error) {
        let mut f = self.failures.lock().expect("no panics while locked");
        if f.len() < NEAR_ROWS {
            f.push((label.to_string(), error.to_string()));
        }
        drop(f);
        self.inner.failed(label, error);
    }

    fn removed(&self, label: &str, r: &Removal<'_>) {
        if let Some(docs) = r.reason.strip_prefix("corpus:") {
            let _ = docs;
            let key = KEYS.with(|k| k.borrow_mut().key(r.text));
            let mut c = self.corpus.lock().expect("no panics while locked");
            let hits = c.entry(key).or_default();
            hits.removed += 1;
            if hits.text.is_empty() {
                hits.text = r.text.to_string();
            }
        }
        if self.cap == 0 {
            return;
        }
        let id = (hash(label), label.to_string());
        let mut s = self.sample.lock().expect("no panics while locked");
        if s.len() >= self.cap && s.last_key_value().is_some_and(|(last, _)| id > *last) {
            return;
        }
        s.entry(id).or_default().push(Rem {
            line: r.line,
            reason: reason_group(r.reason).to_string(),
            text: r.text.to_string(),
            span: r.span,
        });
        if s.len() > self.cap {
            s.pop_last();
        }
    }

    fn warning(&self, label: &str, message: &str) {
        self.inner.warning(label, message);
    }

    fn progress(&self, label: &str, bytes: u64) {
        self.inner.progress(label, bytes);
    }
}

/// `corpus:12 docs` is shown as `corpus`, as in the statistics.
fn reason_group(reason: &str) -> &str {
    if reason.starts_with("corpus:") {
        "corpus"
    } else {
        reason
    }
}

/// One document of the sample, as the page shows it.
#[derive(Debug, Serialize)]
pub struct Doc {
    /// Label: the file, or `FILE:RECORD`.
    pub name: String,
    /// Encoding and how it was chosen, when the text was read.
    pub enc: String,
    /// Normalised lines (empty when the format cannot be shown line by line).
    pub lines: Vec<String>,
    /// Removals: `[line index, reason index, span text or ""]`.
    pub marks: Vec<(u64, usize, String)>,
    /// Lines removed (whole lines).
    pub removed: usize,
    /// The text was cut at [`DOC_BYTES`] or the first window.
    pub truncated: bool,
}

/// A row of the boilerplate table.
#[derive(Debug, Serialize)]
pub struct TopLine {
    pub text: String,
    pub docs: u32,
    pub head: u32,
    pub tail: u32,
    /// Lines removed as corpus boilerplate with this template in the run.
    pub removed: u64,
    /// Sampled documents holding it.
    pub examples: Vec<usize>,
}

/// A kept line that matched a built-in rule but the prose guard or the
/// length limit kept it.
#[derive(Debug, Serialize)]
pub struct RuleMiss {
    pub doc: usize,
    pub line: usize,
    pub rule: String,
    pub why: &'static str,
    pub text: String,
}

/// A corpus line the thresholds kept.
#[derive(Debug, Serialize)]
pub struct CorpusMiss {
    pub text: String,
    pub docs: u32,
    /// Documents it would need.
    pub need: u32,
    pub why: &'static str,
    pub examples: Vec<usize>,
}

/// Everything the page shows beyond the statistics.
#[derive(Debug, Serialize)]
pub struct Data {
    pub reasons: Vec<String>,
    pub docs: Vec<Doc>,
    /// Documents the run had in the sample but whose text was not embedded
    /// (budget reached).
    pub not_embedded: usize,
    pub top: Vec<TopLine>,
    pub profile_docs: u64,
    pub threshold: u32,
    pub rule_misses: Vec<RuleMiss>,
    pub rule_misses_total: usize,
    pub corpus_misses: Vec<CorpusMiss>,
    pub failures: Vec<(String, String)>,
    pub sample: usize,
}

impl Collector<'_> {
    /// Reads the sample again and builds the page's data.
    pub fn finish(
        self,
        cleaner: &Cleaner,
        jobs: &[Job],
        format: &FormatOptions,
        profile: Option<&Profile>,
        corpus: CorpusOptions,
    ) -> Data {
        let sample = self.sample.into_inner().expect("no panics while locked");
        let hits = self.corpus.into_inner().expect("no panics while locked");
        let failures = self.failures.into_inner().expect("no panics while locked");
        let by_label: HashMap<&str, &Job> = jobs.iter().map(|j| (j.label.as_str(), j)).collect();

        // Reasons in a stable order for colours: by name.
        let mut reasons: Vec<String> = sample
            .values()
            .flatten()
            .map(|r| r.reason.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        reasons.sort();
        let reason_ix: HashMap<&str, usize> = reasons
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.as_str()))
            .map(|(i, r)| (r, i))
            .collect();

        // Group record documents by file so each file is read once.
        let mut plain: Vec<(&Job, &str, &Vec<Rem>)> = Vec::new();
        let mut records: BTreeMap<&str, Vec<Wanted<'_>>> = BTreeMap::new();
        let mut other: Vec<(&str, &Vec<Rem>)> = Vec::new();
        for ((_, label), rems) in &sample {
            if let Some(job) = by_label.get(label.as_str()) {
                plain.push((job, label, rems));
            } else if let Some((file, n)) = label.rsplit_once(':')
                && let (Some(_), Ok(n)) = (by_label.get(file), n.parse::<u64>())
            {
                records.entry(file).or_default().push((n, label, rems));
            } else {
                other.push((label, rems));
            }
        }

        let mut reader = DocReader::new(cleaner);
        let mut docs = Vec::new();
        let mut budget = TEXT_BUDGET;
        let mut not_embedded = 0;
        let mut add = |text: Option<(Vec<String>, String, bool)>,
                       label: &str,
                       rems: &[Rem],
                       docs: &mut Vec<Doc>| {
            let (lines, enc, truncated) = text.unwrap_or_default();
            let size: usize = lines.iter().map(|l| l.len() + 1).sum::<usize>()
                + rems.iter().map(|r| r.text.len() + 16).sum::<usize>();
            if size > budget {
                not_embedded += 1;
                return;
            }
            budget -= size;
            let marks = rems
                .iter()
                .map(|r| {
                    let span = if r.span {
                        r.text.clone()
                    } else {
                        String::new()
                    };
                    (r.line, reason_ix[r.reason.as_str()], span)
                })
                .collect();
            docs.push(Doc {
                name: label.to_string(),
                enc,
                removed: rems.iter().filter(|r| !r.span).count(),
                lines,
                marks,
                truncated,
            });
        };
        for (job, label, rems) in plain {
            match reader.plain(job, format) {
                // A record file's own label: its documents are FILE:RECORD.
                Some(None) => {}
                Some(Some(text)) => add(Some(text), label, rems, &mut docs),
                None => add(None, label, rems, &mut docs),
            }
        }
        for (file, mut wanted) in records {
            wanted.sort_by_key(|w| w.0);
            let texts = reader.records(by_label[file], format, &wanted);
            for ((_, label, rems), text) in wanted.iter().zip(texts) {
                add(text, label, rems, &mut docs);
            }
        }
        for (label, rems) in other {
            add(None, label, rems, &mut docs);
        }
        docs.sort_by(|a, b| a.name.cmp(&b.name));

        // Near-misses of the rules: kept lines of the sample that a
        // built-in line rule matches without its guard.
        let unguarded = unguarded(cleaner.rules());
        let mut rule_misses = Vec::new();
        let mut rule_misses_total = 0;
        for (d, doc) in docs.iter().enumerate() {
            let removed: HashSet<u64> = doc
                .marks
                .iter()
                .filter(|m| m.2.is_empty())
                .map(|m| m.0)
                .collect();
            for (i, line) in doc.lines.iter().enumerate() {
                if line.is_empty() || removed.contains(&(i as u64 + 1)) {
                    continue;
                }
                let Some(id) = unguarded.as_ref().and_then(|u| u.match_line(line)) else {
                    continue;
                };
                if cleaner.rules().match_line(line).is_some() {
                    continue;
                }
                rule_misses_total += 1;
                if rule_misses.len() < NEAR_ROWS {
                    rule_misses.push(RuleMiss {
                        doc: d,
                        line: i + 1,
                        rule: unguarded.as_ref().expect("matched").name(id).to_string(),
                        why: if line.len() > decruft::judge::builtin::MAX_NOTICE_LEN {
                            "longer than any notice"
                        } else {
                            "reads like reported speech (prose guard)"
                        },
                        text: line.clone(),
                    });
                }
            }
        }

        // The learned boilerplate, and the corpus lines just short of it.
        let mut top = Vec::new();
        let mut corpus_misses = Vec::new();
        let (mut profile_docs, mut threshold) = (0, 0);
        if let Some(profile) = profile {
            profile_docs = profile.docs;
            threshold = corpus.threshold(profile.docs);
            let mut frequent: Vec<_> = profile
                .entries
                .iter()
                .filter(|(_, s)| s.docs >= threshold / 2 && s.docs >= 2)
                .collect();
            frequent.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(&b.0)));
            frequent.truncate(4 * (TOP_ROWS + NEAR_ROWS));
            // Sampled documents holding each key.
            let wanted: HashSet<u64> = frequent.iter().map(|(k, _)| *k).collect();
            let mut holders: HashMap<u64, Vec<usize>> = HashMap::new();
            let mut texts: HashMap<u64, String> = HashMap::new();
            let mut keys = KeyMaker::new();
            for (d, doc) in docs.iter().enumerate() {
                for line in &doc.lines {
                    if line.is_empty() {
                        continue;
                    }
                    let k = keys.key(line);
                    if wanted.contains(&k) {
                        let h = holders.entry(k).or_default();
                        if h.last() != Some(&d) && h.len() < EXAMPLES {
                            h.push(d);
                        }
                        texts.entry(k).or_insert_with(|| line.clone());
                    }
                }
            }
            for (k, h) in &hits {
                if !h.text.is_empty() {
                    texts.insert(*k, h.text.clone());
                }
            }
            let missing: Vec<u64> = frequent
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| !texts.contains_key(k))
                .collect();
            if !missing.is_empty() {
                // Look in a bounded prefix of the corpus, as `learn --top`.
                let mut bytes = 0;
                let prefix: Vec<Job> = jobs
                    .iter()
                    .take_while(|j| {
                        bytes += decruft::batch::input_size(j);
                        bytes < 64 << 20
                    })
                    .cloned()
                    .collect();
                texts.extend(decruft::batch::examples_formats(
                    cleaner, &prefix, &missing, format,
                ));
            }
            for (key, s) in frequent {
                let Some(text) = texts.get(key) else { continue };
                let examples = holders.get(key).cloned().unwrap_or_default();
                let removed = hits.get(key).map_or(0, |h| h.removed);
                if s.docs >= threshold && frequent_enough(s, text, profile.docs, &corpus) {
                    if top.len() < TOP_ROWS {
                        top.push(TopLine {
                            text: text.clone(),
                            docs: s.docs,
                            head: s.head,
                            tail: s.tail,
                            removed,
                            examples,
                        });
                    }
                } else if corpus_misses.len() < NEAR_ROWS {
                    let need = if s.docs < threshold {
                        threshold
                    } else {
                        threshold.saturating_mul(corpus.sentence_factor)
                    };
                    corpus_misses.push(CorpusMiss {
                        text: text.clone(),
                        docs: s.docs,
                        need,
                        why: if s.docs < threshold {
                            "in too few documents"
                        } else {
                            "a full sentence: needs more documents"
                        },
                        examples,
                    });
                }
            }
        }
        Data {
            reasons,
            docs,
            not_embedded,
            top,
            profile_docs,
            threshold,
            rule_misses,
            rule_misses_total,
            corpus_misses,
            failures,
            sample: self.cap,
        }
    }
}

/// The built-in line rules as user rules: the same patterns without the
/// prose guard and the length limit, to find lines they only just spared.
fn unguarded(rules: &RuleSet) -> Option<RuleSet> {
    let mut b = RuleSetBuilder::new();
    b.builtin(false);
    let mut any = false;
    for r in rules.rules() {
        if r.guarded && r.kind == RuleKind::Line {
            b.rule(&r.name, RuleKind::Line, &r.pattern).ok()?;
            any = true;
        }
    }
    if any { b.build().ok() } else { None }
}

/// A record document wanted from a file: number, label, removals.
type Wanted<'s> = (u64, &'s str, &'s Vec<Rem>);

/// A document's text as the pipeline saw it: normalised lines, the
/// encoding and whether it was cut.
type Text = (Vec<String>, String, bool);

/// Reads documents again through decode, repair and normalise, the stages
/// that decide line numbers.
struct DocReader<'c> {
    cleaner: &'c Cleaner,
    norm: Normaliser,
}

impl<'c> DocReader<'c> {
    fn new(cleaner: &'c Cleaner) -> Self {
        DocReader {
            cleaner,
            norm: Normaliser::new(cleaner.config().normalise),
        }
    }

    /// The text of one document from `input`: its first window, at most
    /// [`DOC_BYTES`] of normalised text.
    fn text(&mut self, input: impl Read) -> Option<Text> {
        let config = self.cleaner.config();
        let mut decoder = DecodingReader::new(input, &config.decode).ok()?;
        let mut buffer = LineBuffer::new(config.window, config.max_line);
        let window = buffer.next_window(&mut decoder).ok()?;
        let mut lines = Vec::new();
        let mut truncated = false;
        if let Some(window) = window {
            let text = String::from_utf8_lossy(window);
            let repaired = repair(&text, &config.repair, &mut RepairCounts::default());
            let mut size = 0;
            for (_, raw) in split_lines(&repaired) {
                let line = self.norm.normalise(raw);
                size += line.len() + 1;
                if size > DOC_BYTES {
                    truncated = true;
                    break;
                }
                lines.push(line);
            }
            truncated |= buffer.next_window(&mut decoder).ok().flatten().is_some();
        }
        let report = decoder.report();
        let enc = format!("{} ({})", report.encoding.name(), report.source.as_str());
        Some((lines, enc, truncated))
    }

    /// A plain file: `Some(None)` when it is read as records instead,
    /// `None` when it cannot be read.
    fn plain(&mut self, job: &Job, format: &FormatOptions) -> Option<Option<Text>> {
        let Source::File(path) = &job.source else {
            return None;
        };
        let mut input = decruft::read::open(Some(path)).ok()?;
        let head = input.reader.fill_buf().ok()?;
        match format.resolve(Some(path), head) {
            Kind::Plain => Some(self.text(&mut input.reader)),
            _ => Some(None),
        }
    }

    /// The wanted records (sorted by number) of a JSON Lines file; other
    /// record formats are shown by their removals only.
    fn records(
        &mut self,
        job: &Job,
        format: &FormatOptions,
        wanted: &[Wanted<'_>],
    ) -> Vec<Option<Text>> {
        let mut out: Vec<Option<Text>> = wanted.iter().map(|_| None).collect();
        let Source::File(path) = &job.source else {
            return out;
        };
        let Ok(mut input) = decruft::read::open(Some(path)) else {
            return out;
        };
        let Ok(head) = input.reader.fill_buf() else {
            return out;
        };
        if format.resolve(Some(path), head) != Kind::Jsonl {
            return out;
        }
        let field: Vec<&str> = format.field.iter().map(String::as_str).collect();
        let mut line = Vec::new();
        let mut number = 0u64;
        let mut next = 0;
        while next < wanted.len() {
            line.clear();
            match input.reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => number += 1,
            }
            if number != wanted[next].0 {
                continue;
            }
            let body = trim_eol(&line);
            if let Ok((_, Some(range))) = jsonl::locate(body, &field)
                && let Ok(text) = serde_json::from_slice::<String>(&body[range])
            {
                out[next] = self.text(text.as_bytes());
            }
            next += 1;
        }
        out
    }
}

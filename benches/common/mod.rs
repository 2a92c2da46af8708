//! Inputs for the criterion micro-benchmarks, built at run time from the
//! BBC articles in `../shared/corpus/bbc` (provenance in
//! `../shared/corpus/README.md`); nothing is copied into the repository.
//!
//! [`dirty`] repeats the 2,225 articles until the text reaches the requested
//! size and makes each one a dirty *document*: notices that a built-in rule
//! removes inserted between paragraphs, a glued image credit cut as a span,
//! whitespace mess, CRLF line ends in some documents. The generator records
//! what it inserted, so every benchmark checks its answer once before timing
//! (memchr's recorded answers: a stage that gets fast by getting wrong
//! fails instead of reporting a better figure).
//!
//! Deterministic: a fixed xorshift seed, no `rand` dependency.
#![allow(dead_code)] // each bench file uses a different part

use std::ops::Range;
use std::path::Path;

/// The clean BBC articles, one folder per section.
pub const BBC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/bbc");

/// Default size of the dirty text: big enough that caches do not flatter
/// the stage, small enough that setup takes about a second.
pub const DIRTY_SIZE: usize = 20 << 20;

/// A notice and whether a span rule also matches at its start.
pub const NOTICES: &[(&str, bool)] = &[
    (
        "To view this content, you'll need to update your privacy settings.",
        false,
    ),
    ("Please click here to do so.", false),
    ("Advertisement", false),
    ("Story continues below advertisement", false),
    ("Media playback is unsupported on your device", true),
    ("Image copyright Getty Images", false),
    ("Skip to main content", false),
    ("Back to top", false),
    ("Share this article Facebook Twitter Email", false),
    (
        "Sign up for our newsletter to get the latest news delivered to your inbox.",
        false,
    ),
    ("Accept all cookies", false),
    ("Read more: Business news", false),
    ("Related Topics", false),
    ("Most read", false),
    ("Published 14:02 GMT, 3 March 2024", false),
    ("© 2024 BBC. All rights reserved.", false),
    ("Listen to this article", false),
    (
        "We use cookies to improve your experience on our site.",
        false,
    ),
];

/// A glued artefact the `image-credit` span rule cuts from a paragraph's
/// start, keeping the paragraph.
pub const GLUED_CREDIT: &str = "Image copyright Reuters Image caption ";

/// The dirty text and what the generator put into it.
pub struct Dirty {
    /// All documents, concatenated.
    pub text: String,
    /// Byte range of each document in `text`.
    pub docs: Vec<Range<usize>>,
    /// Lines in `text` (as `split_lines` counts them).
    pub lines: usize,
    /// Non-blank article lines (kept by the default pipeline, unless they
    /// repeat inside their document).
    pub article_lines: usize,
    /// Article lines that occur more than once, verbatim, in their article:
    /// removed as `repeated-in-document`.
    pub repeated_lines: usize,
    /// Notice lines inserted (each removed by a whole-line rule).
    pub notices: usize,
    /// Lines where a span rule matches at the start: glued credits plus
    /// notices flagged in [`NOTICES`].
    pub span_lines: usize,
    /// Glued credits inserted (each cut as a span, the line kept).
    pub glued: usize,
}

/// Deterministic xorshift64* generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Every article of the corpus, in a fixed order. Panics with the path if
/// the corpus is missing: the benchmarks mean nothing without it.
pub fn articles() -> Vec<String> {
    let mut paths = Vec::new();
    collect(Path::new(BBC), &mut paths);
    paths.sort();
    assert!(
        paths.len() > 2000,
        "expected the BBC corpus at {BBC} (see ../shared/corpus/README.md), found {} files",
        paths.len()
    );
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // A few articles are not UTF-8 (a stray £ in Latin-1): decruft
            // would repair them, but the benchmarks want exact answers.
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable corpus folder").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

/// Whitespace mess that normalisation folds back to one space.
const MESS: &[&str] = &["  ", "\t", "\u{a0}", " \u{200b}", "   ", " \t "];

/// `line` with whitespace mess: its normalised form is `line` with runs of
/// spaces folded and the ends trimmed.
pub fn messy(line: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    if rng.one_in(3) {
        out.push_str("  ");
    }
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            if rng.one_in(4) {
                out.push_str(MESS[rng.below(MESS.len())]);
            } else {
                out.push(' ');
            }
        }
        out.push_str(word);
    }
    if rng.one_in(3) {
        out.push_str(" \t");
    }
    out
}

/// About `size` bytes of dirty documents built from the corpus.
pub fn dirty(size: usize) -> Dirty {
    let articles = articles();
    let mut rng = Rng::new(0x5eed_dec0_ffee_u64);
    let mut d = Dirty {
        text: String::with_capacity(size + (64 << 10)),
        docs: Vec::new(),
        lines: 0,
        article_lines: 0,
        repeated_lines: 0,
        notices: 0,
        span_lines: 0,
        glued: 0,
    };
    let mut doc_lines: Vec<String> = Vec::new();
    'outer: loop {
        for article in &articles {
            if d.text.len() >= size {
                break 'outer;
            }
            doc_lines.clear();
            let mut seen = std::collections::HashMap::new();
            for line in article.lines() {
                let line = line.trim();
                if line.is_empty() {
                    doc_lines.push(String::new());
                    if rng.one_in(3) {
                        let (notice, span) = NOTICES[rng.below(NOTICES.len())];
                        doc_lines.push(notice.to_string());
                        doc_lines.push(String::new());
                        d.notices += 1;
                        d.span_lines += usize::from(span);
                    }
                    continue;
                }
                d.article_lines += 1;
                *seen.entry(line).or_insert(0usize) += 1;
                let mut l = if rng.one_in(4) {
                    messy(line, &mut rng)
                } else {
                    line.to_string()
                };
                if line.len() > 200 && rng.one_in(40) {
                    l.insert_str(0, GLUED_CREDIT);
                    d.glued += 1;
                    d.span_lines += 1;
                }
                doc_lines.push(l);
            }
            d.repeated_lines += seen.values().filter(|&&n| n > 1).sum::<usize>();
            let eol = if rng.one_in(10) { "\r\n" } else { "\n" };
            let start = d.text.len();
            for l in &doc_lines {
                d.text.push_str(l);
                d.text.push_str(eol);
            }
            d.lines += doc_lines.len();
            d.docs.push(start..d.text.len());
        }
    }
    d
}

/// MB/s label helper: the input size in MiB, for the setup line each bench
/// prints.
pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

//! Criterion benchmarks for `decruft::repair::repair`.
//!
//!     cargo bench --bench repair            # full run
//!     cargo bench --bench repair -- --quick # a quick look
//!
//! Each case repairs an in-memory text in 64 KiB windows of whole lines (as
//! the pipeline hands them over), with default options (mojibake, entities,
//! tags), and reports input bytes per second:
//!
//! - `clean_ascii`: the BBC News articles of `../shared/corpus/bbc` with
//!   every non-ASCII character and the few lines with HTML entities or tags
//!   dropped, about 20 MB: the common case, nothing to do (windows holding
//!   an `&`, as in "M&S", are checked line by line);
//! - `clean_accented`: correct text in twelve languages (French, German,
//!   Polish, Czech, Greek, Russian, Turkish...), about 4 MB, every line with
//!   non-ASCII letters and nothing to repair;
//! - `mojibake`: the same lines as UTF-8 read as windows-1252 ("CafÃ©"),
//!   about 5.5 MB, every line to repair.
//!
//! Before timing, each case is repaired once and compared with the text it
//! must give (the input itself for the clean cases), so a fast but wrong
//! repair fails instead of producing a figure.

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::repair::{RepairCounts, RepairOptions, repair};
use encoding_rs::WINDOWS_1252;

const BBC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/bbc");
const WINDOW: usize = 64 * 1024;

/// Correct text with non-ASCII letters in every line.
const ACCENTED: &[&str] = &[
    "Le café de la gare a rouvert ses portes après des mois de travaux, à la grande joie des habitués.",
    "L’été dernier, nous sommes allés à Orléans voir la cathédrale et goûter les spécialités régionales.",
    "Die Straßenbahn fährt über die Brücke, während die Kinder fröhlich Äpfel aus dem Garten essen.",
    "Müller schreibt, dass die Gemüsepreise im Frühjahr wegen der Kälte deutlich gestiegen sind.",
    "El niño comió paella en la playa mientras su abuela leía el periódico bajo la sombrilla.",
    "Português: a informação sobre a eleição foi publicada ontem à noite pelo jornal da manhã.",
    "Wczoraj w Łodzi odbyło się posiedzenie rządu, na którym omówiono budżet na przyszły rok.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy, řekl ministr a vláda schválila návrh zákona.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία και την ενίσχυση των μικρών επιχειρήσεων.",
    "Правительство объявило о новых мерах поддержки малого бизнеса и развития регионов страны.",
    "İstanbul’da yaşayan öğrenciler, sınavların ertelenmesi için üniversiteye dilekçe verdi.",
    "Svenska: kärleken till sjön och skärgården är stor bland stockholmarna på sommaren.",
];

/// The BBC articles, non-ASCII characters dropped, to about `len` bytes.
fn bbc_ascii(len: usize) -> String {
    let mut paths = Vec::new();
    let cats = std::fs::read_dir(BBC)
        .unwrap_or_else(|e| panic!("{BBC}: {e} (the benchmarks read ../shared)"));
    for cat in cats.flatten().filter(|e| e.path().is_dir()) {
        for f in std::fs::read_dir(cat.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|x| x == "txt") {
                paths.push(f.path());
            }
        }
    }
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let text: String = String::from_utf8_lossy(&bytes)
                .chars()
                .filter(char::is_ascii)
                .collect();
            // A few comments hold HTML entities and tags ("&lt;(",
            // "br /&gt;"), which repair rightly decodes: leave those lines out.
            text.split_inclusive('\n')
                .filter(|l| !has_markup(l))
                .collect()
        })
        .collect();
    let mut out = String::with_capacity(len + WINDOW);
    for t in texts.iter().cycle() {
        if out.len() >= len {
            break;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

/// Does `line` hold a tag or something like an entity (`&` then `;`)?
fn has_markup(line: &str) -> bool {
    line.contains('<')
        || line
            .match_indices('&')
            .any(|(i, _)| line[i..].chars().take(12).any(|c| c == ';'))
}

/// The first `n` lines of `lines` repeated, one per line.
fn repeat_lines<S: AsRef<str>>(lines: &[S], n: usize) -> String {
    let mut out = String::new();
    for l in lines.iter().cycle().take(n) {
        out.push_str(l.as_ref());
        out.push('\n');
    }
    out
}

/// Index of the last `\n` in `bytes`.
fn last_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| b == b'\n')
}

/// Splits `text` into windows of whole lines of about `WINDOW` bytes.
fn windows(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let cut = if rest.len() <= WINDOW {
            rest.len()
        } else {
            last_newline(&rest.as_bytes()[..WINDOW]).map_or(rest.len(), |i| i + 1)
        };
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

/// Repairs every window; returns the output bytes, and the text when `keep`.
fn run(windows: &[&str], keep: bool) -> (usize, String, RepairCounts) {
    let opts = RepairOptions::default();
    let mut counts = RepairCounts::default();
    let mut total = 0;
    let mut kept = String::new();
    for w in windows {
        let out = repair(w, &opts, &mut counts);
        total += out.len();
        if keep {
            kept.push_str(&out);
        }
        if let Cow::Owned(s) = out {
            black_box(s);
        }
    }
    (total, kept, counts)
}

fn bench_repair(c: &mut Criterion) {
    let ascii = bbc_ascii(20 * 1024 * 1024);
    // About 4 MB of accented text; its mojibake is about 5.5 MB.
    let lines = 4 * 1024 * 1024 / 110;
    let accented = repeat_lines(ACCENTED, lines);
    let mojibake_lines: Vec<String> = ACCENTED
        .iter()
        .map(|l| WINDOWS_1252.decode(l.as_bytes()).0.into_owned())
        .collect();
    let mojibake = repeat_lines(&mojibake_lines, lines);

    // (name, input, expected output, whether lines get mojibake repairs)
    let cases: [(&str, &str, &str, bool); 3] = [
        ("clean_ascii", &ascii, &ascii, false),
        ("clean_accented", &accented, &accented, false),
        ("mojibake", &mojibake, &accented, true),
    ];

    let mut group = c.benchmark_group("repair");
    group.sample_size(10);
    for (name, input, want, fixes) in cases {
        let wins = windows(input);
        let (_, got, counts) = run(&wins, true);
        if let Some((g, w)) = got.lines().zip(want.lines()).find(|(g, w)| g != w) {
            panic!("{name}: output differs from the expected text\n got: {g}\nwant: {w}");
        }
        assert!(got == want, "{name}: output differs from the expected text");
        assert_eq!(
            counts.mojibake > 0,
            fixes,
            "{name}: mojibake count {counts:?}"
        );
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(run(black_box(&wins), false).0))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_repair);
criterion_main!(benches);

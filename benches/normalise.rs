//! Normalise stage: `Normaliser` on clean ASCII lines (the fast path) and on
//! the same lines with whitespace mess (tabs, NBSP, zero-width spaces, runs
//! of spaces), in MB/s of input line text.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::normalise::{NormaliseOptions, Normaliser, UnicodeForm};
use std::hint::black_box;

fn run(norm: &mut Normaliser, lines: &[String], out: &mut String) -> usize {
    out.clear();
    for l in lines {
        norm.normalise_into(l, out);
    }
    out.len()
}

fn bench(c: &mut Criterion) {
    let mut clean: Vec<String> = Vec::new();
    let mut bytes = 0;
    'outer: for _ in 0..4 {
        for article in common::articles() {
            for line in article.lines().map(str::trim) {
                if line.is_empty() || !line.is_ascii() || line.contains("  ") {
                    continue;
                }
                bytes += line.len();
                clean.push(line.to_string());
                if bytes >= common::DIRTY_SIZE {
                    break 'outer;
                }
            }
        }
    }
    let mut rng = common::Rng::new(42);
    let messy: Vec<String> = clean.iter().map(|l| common::messy(l, &mut rng)).collect();
    let messy_bytes: usize = messy.iter().map(String::len).sum();
    eprintln!(
        "normalise: {} lines, clean {:.1} MiB, messy {:.1} MiB",
        clean.len(),
        common::mib(bytes),
        common::mib(messy_bytes)
    );

    // Recorded answers: clean lines come back unchanged, and messy lines
    // normalise to exactly their clean originals.
    let mut norm = Normaliser::new(NormaliseOptions::default());
    let (mut a, mut b) = (String::new(), String::new());
    for (c, m) in clean.iter().zip(&messy) {
        a.clear();
        b.clear();
        norm.normalise_into(c, &mut a);
        norm.normalise_into(m, &mut b);
        assert_eq!(&a, c, "clean line changed");
        assert_eq!(&b, c, "messy line {m:?}");
    }

    let mut g = c.benchmark_group("normalise");
    g.sample_size(10);
    let mut out = String::with_capacity(messy_bytes);
    let forms = [
        ("nfc", UnicodeForm::Nfc, false),
        ("nfkc_ascii_quotes", UnicodeForm::Nfkc, true),
    ];
    for (name, form, ascii_quotes) in forms {
        let mut norm = Normaliser::new(NormaliseOptions { form, ascii_quotes });
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("clean_ascii/{name}"), |bch| {
            bch.iter(|| run(&mut norm, black_box(&clean), &mut out))
        });
        g.throughput(Throughput::Bytes(messy_bytes as u64));
        g.bench_function(format!("messy/{name}"), |bch| {
            bch.iter(|| run(&mut norm, black_box(&messy), &mut out))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

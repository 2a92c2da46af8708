//! Hashing: the exact-line hash of repetition (xxh3), the template key of
//! corpus profiles (`KeyMaker::key`) and its head (`KeyMaker::head`, what a
//! line the profile cannot hold costs), over the lines of the 2,225 BBC
//! articles (see `common/mod.rs`), in MB/s of line text.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::judge::KeyMaker;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let articles = common::articles();
    let lines: Vec<&str> = articles
        .iter()
        .flat_map(|a| a.lines())
        .filter(|l| !l.is_empty())
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    eprintln!(
        "hashing: {} lines, {:.1} MiB",
        lines.len(),
        common::mib(bytes)
    );

    // Recorded answers, checked once before timing: template variants meet,
    // and distinct lines keep distinct keys.
    let mut keys = KeyMaker::new();
    assert_eq!(
        keys.key("Updated 14:02 GMT, 3 March 2024"),
        keys.key("updated 09:15 gmt, 11 apr 2025")
    );
    let distinct: std::collections::HashSet<u64> = lines.iter().map(|l| keys.key(l)).collect();
    assert!(
        distinct.len() * 10 > lines.len() * 9,
        "keys collide: {}",
        distinct.len()
    );
    let first = lines.iter().find(|l| l.len() > 200).expect("a long line");
    assert_eq!(keys.head(first), decruft::judge::key_head(keys.key(first)));

    let mut g = c.benchmark_group("hashing");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("xxh3_line", |b| {
        b.iter(|| {
            lines.iter().fold(0u64, |acc, l| {
                acc ^ xxhash_rust::xxh3::xxh3_64(black_box(l.as_bytes()))
            })
        })
    });
    g.bench_function("template_key", |b| {
        let mut keys = KeyMaker::new();
        b.iter(|| {
            lines
                .iter()
                .fold(0u64, |acc, l| acc ^ keys.key(black_box(l)))
        })
    });
    g.bench_function("key_head", |b| {
        let mut keys = KeyMaker::new();
        b.iter(|| {
            lines
                .iter()
                .fold(0u32, |acc, l| acc ^ keys.head(black_box(l)))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

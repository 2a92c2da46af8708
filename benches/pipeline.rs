//! The whole pipeline: `Cleaner::worker().clean` on every dirty BBC document
//! (~20 MiB in all, see `common/mod.rs`) into one reused `Vec`, in MB/s of
//! input. Rows: default rules with in-document repetition; `--no-repeat`;
//! `--no-strip` (decode, repair and normalise only); and the whole text as
//! one stream (one document of many 1 MiB windows, as standard input runs).

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::{Cleaner, Config, RepeatOptions, RuleSet, Stats, Worker};
use std::hint::black_box;

/// Cleans every document; returns the summed statistics.
fn clean_docs(worker: &mut Worker, dirty: &common::Dirty, out: &mut Vec<u8>) -> Stats {
    out.clear();
    let mut total = Stats::default();
    for doc in &dirty.docs {
        let input = dirty.text[doc.clone()].as_bytes();
        let stats = worker.clean(input, out, None).expect("in-memory cleaning");
        total += &stats;
    }
    total
}

fn bench(c: &mut Criterion) {
    let dirty = common::dirty(common::DIRTY_SIZE);
    let size = dirty.text.len();
    eprintln!(
        "pipeline: {:.1} MiB, {} documents, {} article lines ({} repeated), {} notices, {} glued credits",
        common::mib(size),
        dirty.docs.len(),
        dirty.article_lines,
        dirty.repeated_lines,
        dirty.notices,
        dirty.glued
    );
    let default = Cleaner::new(Config::default(), RuleSet::builtin());
    let no_repeat = Cleaner::new(
        Config {
            repeat: RepeatOptions {
                enabled: false,
                ..RepeatOptions::default()
            },
            ..Config::default()
        },
        RuleSet::builtin(),
    );
    let no_strip = Cleaner::new(
        Config {
            strip: false,
            ..Config::default()
        },
        RuleSet::builtin(),
    );
    let mut out = Vec::with_capacity(size);

    // Recorded answers, checked once before timing.
    let s = clean_docs(&mut default.worker(), &dirty, &mut out);
    let by_rule = s.removed_total() - s.lines_removed.get("repeated-in-document").unwrap_or(&0);
    assert_eq!(
        by_rule as usize, dirty.notices,
        "default: removed by rules {s:?}"
    );
    let repeated = s
        .lines_removed
        .get("repeated-in-document")
        .copied()
        .unwrap_or(0);
    assert_eq!(repeated as usize, dirty.repeated_lines, "default: repeated");
    assert_eq!(
        s.lines_kept as usize,
        dirty.article_lines - dirty.repeated_lines,
        "default: kept"
    );
    let cut: u64 = s.spans_removed.values().sum();
    assert_eq!(cut as usize, dirty.glued, "default: spans cut");
    assert!(std::str::from_utf8(&out).is_ok());
    let default_out = out.len();

    let s = clean_docs(&mut no_repeat.worker(), &dirty, &mut out);
    assert_eq!(
        s.removed_total() as usize,
        dirty.notices,
        "no-repeat: removed"
    );
    assert_eq!(
        s.lines_kept as usize, dirty.article_lines,
        "no-repeat: kept"
    );

    let s = clean_docs(&mut no_strip.worker(), &dirty, &mut out);
    assert_eq!(s.removed_total(), 0, "no-strip removes nothing");
    assert_eq!(
        s.lines_kept as usize,
        dirty.article_lines + dirty.notices,
        "no-strip: kept"
    );
    eprintln!(
        "pipeline: output {:.1} MiB (default), {:.1} MiB (no-strip)",
        common::mib(default_out),
        common::mib(out.len())
    );

    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(size as u64));
    g.sample_size(10);
    for (name, cleaner) in [
        ("default", &default),
        ("no_repeat", &no_repeat),
        ("no_strip", &no_strip),
    ] {
        let mut worker = cleaner.worker();
        g.bench_function(format!("documents/{name}"), |b| {
            b.iter(|| clean_docs(&mut worker, black_box(&dirty), &mut out))
        });
    }
    // One stream: repetition then spans the whole text, so only check that
    // every rule-removed notice is gone and nothing failed.
    let mut worker = default.worker();
    let s = {
        out.clear();
        worker
            .clean(dirty.text.as_bytes(), &mut out, None)
            .expect("in-memory cleaning")
    };
    assert!(
        s.removed_total() as usize >= dirty.notices,
        "stream: removed"
    );
    g.bench_function("stream/default", |b| {
        b.iter(|| {
            out.clear();
            worker
                .clean(black_box(dirty.text.as_bytes()), &mut out, None)
                .expect("in-memory cleaning")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

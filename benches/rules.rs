//! Judge stage, rules only: `RuleSet::match_line` and `match_span` on every
//! normalised line of ~20 MiB of dirty BBC documents, in MB/s of line text.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::RuleSet;
use decruft::lines::split_lines;
use decruft::normalise::{NormaliseOptions, Normaliser};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let dirty = common::dirty(common::DIRTY_SIZE);
    let rules = RuleSet::builtin();
    let mut norm = Normaliser::new(NormaliseOptions::default());
    let lines: Vec<String> = split_lines(&dirty.text)
        .map(|(_, l)| norm.normalise(l))
        .collect();
    let bytes: usize = lines.iter().map(String::len).sum();
    eprintln!(
        "rules: {} normalised lines, {:.1} MiB, {} notices, {} span lines",
        lines.len(),
        common::mib(bytes),
        dirty.notices,
        dirty.span_lines
    );

    for (notice, _) in common::NOTICES {
        assert!(rules.match_line(notice).is_some(), "not a notice: {notice}");
    }
    let line_hits = lines
        .iter()
        .filter(|l| rules.match_line(l).is_some())
        .count();
    assert_eq!(line_hits, dirty.notices, "match_line: lines removed");
    let span_hits = lines
        .iter()
        .filter(|l| rules.match_span(l).is_some())
        .count();
    assert_eq!(span_hits, dirty.span_lines, "match_span: lines cut");

    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("match_line", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| rules.match_line(black_box(l)).is_some())
                .count()
        })
    });
    g.bench_function("match_span", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| rules.match_span(black_box(l)).is_some())
                .count()
        })
    });
    // What the pipeline does: the span scan only on lines no rule removes.
    g.bench_function("match_line_then_span", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| {
                    rules.match_line(black_box(l)).is_some() || rules.match_span(l).is_some()
                })
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Split stage: `LineBuffer` windows, `split_lines`, and `marked_lines`
//! (what the pipeline uses: lines and the settled gate's byte marks in one
//! pass) over ~20 MiB of dirty BBC documents (see `common/mod.rs`), in MB/s.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::clean::marked_lines::marked_lines;
use decruft::lines::{LineBuffer, split_lines};
use std::hint::black_box;

/// Windows handed out and bytes they cover.
fn windows(lb: &mut LineBuffer, mut input: &[u8]) -> (usize, usize) {
    lb.reset();
    let (mut n, mut bytes) = (0, 0);
    while let Some(w) = lb.next_window(&mut input).expect("in-memory input") {
        n += 1;
        bytes += w.len();
    }
    (n, bytes)
}

fn bench(c: &mut Criterion) {
    let dirty = common::dirty(common::DIRTY_SIZE);
    let text = dirty.text.as_str();
    eprintln!(
        "lines: {:.1} MiB, {} documents, {} lines",
        common::mib(text.len()),
        dirty.docs.len(),
        dirty.lines
    );

    // Recorded answers, checked once before timing.
    assert_eq!(split_lines(text).count(), dirty.lines, "split_lines count");
    assert_eq!(
        marked_lines(text).count(),
        dirty.lines,
        "marked_lines count"
    );
    let odd = marked_lines(text).filter(|l| l.odd).count();
    assert!(
        odd > 0 && odd < dirty.lines,
        "{odd} odd lines of {}",
        dirty.lines
    );
    for window in [64 << 10, 1 << 20, 8 << 20] {
        let mut lb = LineBuffer::new(window, 64 << 20);
        let (n, bytes) = windows(&mut lb, text.as_bytes());
        assert_eq!(bytes, text.len(), "windows must cover the input exactly");
        assert!(
            n >= text.len() / window,
            "window {window}: only {n} windows"
        );
    }

    let mut g = c.benchmark_group("lines");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("split_lines", |b| {
        b.iter(|| split_lines(black_box(text)).count())
    });
    g.bench_function("split_lines+sum_len", |b| {
        b.iter(|| {
            split_lines(black_box(text))
                .map(|(_, l)| l.len())
                .sum::<usize>()
        })
    });
    g.bench_function("marked_lines", |b| {
        b.iter(|| {
            marked_lines(black_box(text))
                .filter(|l| l.odd || l.high)
                .count()
        })
    });
    for (name, window) in [
        ("window_64k", 64 << 10),
        ("window_1m", 1 << 20),
        ("window_8m", 8 << 20),
    ] {
        let mut lb = LineBuffer::new(window, 64 << 20);
        g.bench_function(name, |b| {
            b.iter(|| windows(&mut lb, black_box(text.as_bytes())))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

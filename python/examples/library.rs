//! The Rust library's single-thread MB/s on in-memory documents, the
//! baseline `bench.py` compares `Cleaner.clean_batch` against.
//!
//! `cargo run --release -p decruft-python --example library -- DOCS.jsonl PROFILE`
//! where each line of DOCS.jsonl is a JSON string (one document).

use std::io::BufRead;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let docs_path = args.next().expect("DOCS.jsonl");
    let profile_path = args.next();
    let docs: Vec<String> = std::io::BufReader::new(std::fs::File::open(docs_path).unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let mut cleaner = decruft::Cleaner::with_defaults();
    if let Some(p) = profile_path {
        let (model, _) = decruft::profile::file::load_model(
            p.as_ref(),
            decruft::profile::CorpusOptions::default(),
        )
        .unwrap();
        cleaner = cleaner.with_corpus(model);
    }
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut worker = cleaner.worker();
    let mut out = Vec::new();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for d in &docs {
            out.clear();
            worker.clean(d.as_bytes(), &mut out, None).unwrap();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"docs\": {}, \"bytes\": {bytes}, \"seconds\": {best:.4}, \"mb_per_s\": {:.1}}}",
        docs.len(),
        bytes as f64 / 1e6 / best
    );
}

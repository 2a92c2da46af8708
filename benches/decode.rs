//! Criterion benchmarks for `decruft::decode::DecodingReader`.
//!
//!     cargo bench --bench decode            # full run
//!     cargo bench --bench decode -- --quick # a quick look
//!
//! Every case decodes an in-memory input of about 20 MB with default options
//! (the encoding is chosen the way the CLI chooses it: valid UTF-8, BOM or
//! chardetng), reading 64 KiB at a time as the pipeline does, and reports
//! input bytes per second. Before timing, each case is decoded once and
//! compared with the text it was made from, so a fast but wrong decoder
//! fails instead of producing a figure.
//!
//! Inputs are built at run time, never stored in the repository:
//! - English: the BBC News articles in `../shared/corpus/bbc` (see
//!   `../shared/corpus/README.md`), repeated to 20 MB; as UTF-8 it is the
//!   pass-through case, encoded with encoding_rs the windows-1252 case, and
//!   as UTF-16LE with a BOM the UTF-16 case.
//! - Japanese: chardet's Shift_JIS test files in
//!   `../shared/eval/charsets/SHIFT_JIS`, decoded, repeated to 20 MB and
//!   encoded again as Shift_JIS with encoding_rs.

use std::hint::black_box;
use std::io::Read;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use decruft::decode::{DecodeOptions, DecodingReader};
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8, WINDOWS_1252};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");
const TARGET_LEN: usize = 20 * 1024 * 1024;
const READ_LEN: usize = 64 * 1024;

/// The text of every `.txt` file under `dir`, sorted by path, each file read
/// as UTF-8 (or windows-1252 when it is not valid UTF-8).
fn read_texts(dir: &Path, enc: &'static Encoding) -> Vec<String> {
    let mut paths: Vec<_> = walk(dir);
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            if enc == UTF_8 {
                match String::from_utf8(bytes) {
                    Ok(s) => s,
                    Err(e) => WINDOWS_1252.decode(e.as_bytes()).0.into_owned(),
                }
            } else {
                enc.decode(&bytes).0.into_owned()
            }
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the benchmarks read ../shared beside the repository)",
            dir.display()
        )
    });
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|x| x == "txt") {
            out.push(path);
        }
    }
    out
}

/// Concatenates `texts` (one newline after each) until `TARGET_LEN` bytes.
fn repeat_to_size(texts: &[String]) -> String {
    assert!(!texts.is_empty(), "no input texts");
    let mut out = String::with_capacity(TARGET_LEN + 64 * 1024);
    for t in texts.iter().cycle() {
        if out.len() >= TARGET_LEN {
            break;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

/// Decodes `input` with default options, 64 KiB reads; returns the number of
/// output bytes (and the output itself when `keep`).
fn decode(input: &[u8], keep: bool) -> (usize, Vec<u8>, &'static str) {
    let mut reader = DecodingReader::new(input, &DecodeOptions::default()).expect("decoder");
    let mut buf = vec![0u8; READ_LEN];
    let mut total = 0;
    let mut kept = Vec::new();
    loop {
        let n = reader.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        total += n;
        if keep {
            kept.extend_from_slice(&buf[..n]);
        }
    }
    (total, kept, reader.report().encoding.name())
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn bench_decode(c: &mut Criterion) {
    let bbc = repeat_to_size(&read_texts(&Path::new(SHARED).join("corpus/bbc"), UTF_8));
    // The windows-1252 case needs text windows-1252 can hold: BBC's few
    // characters outside it become ASCII-only in this copy.
    let (cp1252, _, _) = WINDOWS_1252.encode(&bbc);
    let cp1252_text = WINDOWS_1252.decode(&cp1252).0.into_owned();
    let sjis_text = repeat_to_size(&read_texts(
        &Path::new(SHARED).join("eval/charsets/SHIFT_JIS"),
        SHIFT_JIS,
    ));
    let (sjis, _, unmappable) = SHIFT_JIS.encode(&sjis_text);
    assert!(!unmappable, "Shift_JIS text does not round-trip");

    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("utf8_passthrough", bbc.as_bytes().to_vec(), &bbc, "UTF-8"),
        (
            "windows_1252",
            cp1252.into_owned(),
            &cp1252_text,
            "windows-1252",
        ),
        ("utf16le_bom", utf16le_with_bom(&bbc), &bbc, "UTF-16LE"),
        ("shift_jis", sjis.into_owned(), &sjis_text, "Shift_JIS"),
    ];

    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    for (name, input, want, encoding) in &cases {
        // Correctness first: the same text back, from the right encoding.
        let (n, got, chosen) = decode(input, true);
        assert_eq!(chosen, *encoding, "{name}: wrong encoding chosen");
        assert_eq!(n, want.len(), "{name}: output length");
        assert!(
            got == want.as_bytes(),
            "{name}: output differs from the text"
        );
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| black_box(decode(black_box(input), false).0));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);

//! Raw bytes through `DecodingReader` with tiny buffers and tiny reads.
//!
//! Invariants: the decoded stream is valid UTF-8 (checked on the whole
//! output, so a character split between two reads counts), and valid UTF-8
//! input that is read as UTF-8 comes back unchanged (minus a leading BOM).
//! With `strict` an `InvalidData` error is allowed, nothing else.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::WithBytes;
use decruft::decode::{DecodeOptions, DecodingReader};
use libfuzzer_sys::fuzz_target;
use std::io::{self, Read};

/// Labels covering every decoder family encoding_rs has.
const LABELS: &[&str] = &[
    "utf-8",
    "windows-1252",
    "iso-8859-2",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gbk",
    "gb18030",
    "big5",
    "euc-kr",
    "utf-16le",
    "utf-16be",
    "koi8-r",
    "x-mac-cyrillic",
];

/// How the bytes are read: the first six or seven bytes of each input.
#[derive(Arbitrary, Debug)]
struct Knobs {
    /// Prefix/buffer size, 4..=67 bytes.
    capacity: u8,
    /// Caller read size, 1..=16 bytes.
    read_size: u8,
    /// Input read size, 1..=16 bytes (the inner reader trickles too).
    inner_size: u8,
    forced: Option<u8>,
    strict: bool,
    tld: Option<u8>,
}

/// Hands out at most `n` bytes per read.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.n.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: WithBytes<Knobs>| {
    let WithBytes { opts: knobs, bytes } = input;
    let opts = DecodeOptions {
        forced: knobs.forced.map(|i| {
            let label = LABELS[usize::from(i) % LABELS.len()];
            encoding_rs::Encoding::for_label(label.as_bytes()).unwrap()
        }),
        tld: knobs
            .tld
            .map(|i| ["jp", "ru", "cn", "de", "kr"][usize::from(i) % 5].to_string()),
        strict: knobs.strict,
    };
    let inner = Trickle {
        data: &bytes,
        n: usize::from(knobs.inner_size % 16) + 1,
    };
    let capacity = usize::from(knobs.capacity % 64) + 4;
    let mut reader = match DecodingReader::with_capacity(inner, &opts, capacity) {
        Ok(r) => r,
        Err(e) => panic!("the prefix read cannot fail on an in-memory reader: {e}"),
    };
    let step = usize::from(knobs.read_size % 16) + 1;
    let mut out = Vec::new();
    let mut chunk = vec![0u8; step];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) if knobs.strict && e.kind() == io::ErrorKind::InvalidData => return,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert!(
        std::str::from_utf8(&out).is_ok(),
        "decoded output is not UTF-8"
    );
    if opts.forced.is_none() && std::str::from_utf8(&bytes).is_ok() {
        let report = reader.report();
        if report.encoding == encoding_rs::UTF_8 {
            let plain = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
            assert_eq!(out, plain, "valid UTF-8 was changed");
        }
    }
});

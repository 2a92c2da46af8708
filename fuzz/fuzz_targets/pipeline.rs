//! Options plus bytes through `Cleaner::worker().clean`, as aho-corasick's
//! `fuzz_find` covers its whole configuration space with one struct.
//!
//! Invariants: no panic; the only errors are the documented per-file ones
//! (binary input, a line over `max_line`); the output is valid UTF-8, empty
//! or ending in exactly one LF; and cleaning the output again with the same
//! options changes nothing. Idempotence is asserted only when the input fits
//! in one window: across windows, repetition is counted per window, so a
//! line repeated once on each side of a boundary is kept in the first pass
//! and may fall inside one window of the shorter output (by design).
//!
//! Everything runs on this thread, so that coverage follows the input
//! alone; `window_threads` compares the threaded run with this one.
//!
//! Every idempotence bug the fuzzer found has a named regression test in
//! `tests/props.rs`.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::WithBytes;
use decruft::decode::{DecodeOptions, DecodingReader};
use decruft::normalise::{NormaliseOptions, UnicodeForm};
use decruft::repair::MAX_EXHAUSTIVE_FIX;
use decruft::{Cleaner, Config, Error, RepeatOptions, RuleSet, Worker};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;

/// Window sizes worth telling apart: the minimum, odd sizes that cut
/// CRLFs and UTF-8 characters, and one larger than any input libFuzzer
/// makes (what the 1 MiB default is for real documents, without a zeroed
/// 1 MiB buffer per combination).
const WINDOWS: &[usize] = &[64, 65, 127, 1024, 1 << 16];

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Options {
    window: u8,
    strip: bool,
    /// `None`: `--no-repeat`; otherwise `--repeat-min 2 + n % 2`.
    repeat_min: Option<u8>,
    nfkc: bool,
    ascii_quotes: bool,
}

impl Options {
    /// The same options with every number folded into its range, so equal
    /// configurations share one compiled cleaner.
    fn canonical(mut self) -> Options {
        self.window %= WINDOWS.len() as u8;
        self.repeat_min = self.repeat_min.map(|n| n % 2);
        self
    }

    fn config(self) -> Config {
        let window = WINDOWS[usize::from(self.window)];
        Config {
            normalise: NormaliseOptions {
                form: if self.nfkc {
                    UnicodeForm::Nfkc
                } else {
                    UnicodeForm::Nfc
                },
                ascii_quotes: self.ascii_quotes,
            },
            repeat: RepeatOptions {
                enabled: self.repeat_min.is_some(),
                min_count: 2 + u32::from(self.repeat_min.unwrap_or(0)),
                ..RepeatOptions::default()
            },
            strip: self.strip,
            window,
            // Small enough that long lines take the error path too.
            max_line: window * 4,
            ..Config::default()
        }
    }
}

thread_local! {
    /// Compiling the rule set takes milliseconds, so each of the 120 option
    /// combinations builds its cleaner once. A compiled rule set holds
    /// several MB under ASan, so the space is kept small and `--no-strip`
    /// gets the empty rule set: 256 combinations with full rules passed
    /// libFuzzer's 2 GB RSS limit.
    ///
    /// Ordered rather than std's `HashMap`, whose random seed would make
    /// the probing, and so the coverage, vary by run.
    static CLEANERS: RefCell<BTreeMap<Options, Cleaner>> = const { RefCell::new(BTreeMap::new()) };
}

/// What cleaning wrote (up to the error, if any) and how it ended.
fn clean(worker: &mut Worker, bytes: &[u8]) -> (Vec<u8>, Result<(), Error>) {
    let mut out = Vec::new();
    let result = worker.clean(bytes, &mut out, None).map(|_| ());
    (out, result)
}

fuzz_target!(|input: WithBytes<Options>| {
    let opts = input.opts.canonical();
    let cleaner = CLEANERS.with(|c| {
        c.borrow_mut()
            .entry(opts)
            .or_insert_with(|| {
                let rules = if opts.strip {
                    RuleSet::builtin()
                } else {
                    RuleSet::empty()
                };
                Cleaner::new(opts.config(), rules)
            })
            .clone()
    });
    // A new worker for every input: one kept from earlier inputs carries
    // buffers grown by them, so coverage depended on what ran before and
    // libFuzzer kept saving inputs for edges they do not cause alone. The
    // second cleaning in `check` still reuses the worker, as the batch
    // driver reuses one from document to document.
    check(&mut cleaner.worker(), opts, &input.bytes);
});

/// Checks the invariants on one input.
fn check(worker: &mut Worker, opts: Options, bytes: &[u8]) {
    let out = match clean(worker, bytes) {
        (out, Ok(())) => out,
        (_, Err(Error::Binary { .. } | Error::LineTooLong { .. })) => return,
        (_, Err(e)) => panic!("unexpected error: {e}"),
    };
    let text = std::str::from_utf8(&out).expect("output is valid UTF-8");
    assert!(
        text.is_empty() || (text.ends_with('\n') && !text.ends_with("\n\n")),
        "output must end with exactly one LF: {text:?}"
    );
    // Only a document that fits one window is held to idempotence: the
    // window counts decoded UTF-8 bytes, and a document spread over windows
    // can be judged differently once cleaning has shortened it (fuzz crash
    // 08d178de: 44 raw bytes of a legacy encoding spanning two 64-byte
    // windows once decoded).
    let fits = |(len, longest): (usize, usize)| {
        len < WINDOWS[usize::from(opts.window)] && longest <= MAX_EXHAUSTIVE_FIX
    };
    if decoded_size(bytes).is_some_and(fits) {
        let (again, result) = clean(worker, &out);
        result.expect("clean output cleans again");
        assert_eq!(
            String::from_utf8_lossy(&again),
            text,
            "cleaning is not idempotent"
        );
    }
}

/// The length of `bytes` once decoded as the cleaner decodes them, and of
/// their longest line. Repair goes on until nothing changes only on lines
/// up to `MAX_EXHAUSTIVE_FIX` bytes; a longer one gets the rounds that
/// `FIX_BUDGET` pays for, and a line that needs more (one round per
/// character, as "Ãƒƒƒ…") can be repaired further by a second pass (by
/// design: it bounds the time a pathological line costs), so such inputs
/// are not held to idempotence. `None` for input that does not decode.
fn decoded_size(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut text = String::new();
    DecodingReader::new(bytes, &DecodeOptions::default())
        .and_then(|mut r| r.read_to_string(&mut text))
        .ok()?;
    let longest = text.split(['\n', '\r']).map(str::len).max().unwrap_or(0);
    Some((text.len(), longest))
}

//! Property tests of the cleaning pipeline, on the library (not the binary)
//! for speed: for arbitrary bytes and for generated documents that look like
//! scraped news (paragraphs, notices, whitespace mess, CRLF and lone CR,
//! random Unicode),
//!
//! - the output is valid UTF-8;
//! - it is empty or ends with exactly one LF;
//! - every kept line is one of the input's normalised lines, in input order
//!   (a line with a span cut keeps the end of its input line, which the
//!   line stages may change again now that it starts the line);
//! - cleaning is idempotent: cleaning the output again changes nothing;
//! - no window size (from the minimum, 64 bytes) makes it panic.
//!
//! Below the properties are named regression tests, one per bug or fuzz
//! crash found, all fixed; a new one that still fails gets
//! `#[ignore = "bug: ..."]` until it is. Case
//! counts are kept small so the file runs in a few seconds in a debug build.

use decruft::decode::{DecodeOptions, DecodingReader};
use decruft::lines::split_lines;
use decruft::normalise::{NormaliseOptions, Normaliser};
use decruft::repair::{RepairCounts, repair};
use decruft::{Cleaner, Config, Error, RuleSet, Worker};
use proptest::prelude::*;
use std::cell::RefCell;
use std::io::Read;
use std::sync::OnceLock;

/// Window sizes the window properties draw from: the minimum, sizes that
/// cut CRLFs and UTF-8 characters at odd places, and the default (last).
const WINDOWS: &[usize] = &[64, 65, 127, 1000, 8 << 20];

/// Index of the default window in [`WINDOWS`].
const DEFAULT: usize = WINDOWS.len() - 1;

/// One compiled cleaner per window size, shared by all test threads
/// (compiling the rules takes a quarter of a second in a debug build).
fn cleaners() -> &'static [Cleaner] {
    static CLEANERS: OnceLock<Vec<Cleaner>> = OnceLock::new();
    CLEANERS.get_or_init(|| {
        WINDOWS
            .iter()
            .map(|&window| {
                Cleaner::new(
                    Config {
                        window,
                        ..Config::default()
                    },
                    RuleSet::builtin(),
                )
            })
            .collect()
    })
}

thread_local! {
    /// One worker per window size and test thread, reused as the batch
    /// driver reuses them (a fresh worker zeroes its whole window, which is
    /// slow for 8 MiB in a debug build).
    static WORKERS: RefCell<Vec<Option<Worker>>> = RefCell::new((0..WINDOWS.len()).map(|_| None).collect());
}

/// Cleans `input` with the cleaner for `WINDOWS[w]`; `None` for the
/// documented per-file errors (binary input, a line over the cap), a panic
/// for any other error.
fn clean(w: usize, input: &[u8]) -> Option<Vec<u8>> {
    WORKERS.with(|workers| {
        let mut workers = workers.borrow_mut();
        let worker = workers[w].get_or_insert_with(|| cleaners()[w].worker());
        let mut out = Vec::new();
        match worker.clean(input, &mut out, None) {
            Ok(_) => Some(out),
            Err(Error::Binary { .. } | Error::LineTooLong { .. }) => None,
            Err(e) => panic!("unexpected error: {e}"),
        }
    })
}

/// Cleans with the default options.
fn clean_default(input: &[u8]) -> Option<Vec<u8>> {
    clean(DEFAULT, input)
}

/// The input's lines as the judge sees them: decoded, repaired, normalised.
fn normalised_lines(input: &[u8]) -> Vec<String> {
    let mut decoded = String::new();
    DecodingReader::new(input, &DecodeOptions::default())
        .expect("in-memory input")
        .read_to_string(&mut decoded)
        .expect("decoding is lossy, not failing");
    let repaired = repair(
        &decoded,
        &Config::default().repair,
        &mut RepairCounts::default(),
    );
    let mut norm = Normaliser::new(NormaliseOptions::default());
    split_lines(&repaired)
        .map(|(_, raw)| restage(raw, &mut norm))
        .collect()
}

/// One line as the pipeline stages it: normalised and, when normalising
/// changed it, repaired and normalised again until nothing changes.
fn restage(raw: &str, norm: &mut Normaliser) -> String {
    let mut line = norm.normalise(raw);
    if line != raw {
        for _ in 0..3 {
            let fixed = match repair(
                &line,
                &Config::default().repair,
                &mut RepairCounts::default(),
            ) {
                std::borrow::Cow::Borrowed(_) => break,
                std::borrow::Cow::Owned(fixed) => fixed,
            };
            line = norm.normalise(&fixed);
        }
    }
    line
}

/// True when `line` is what the pipeline makes of the end of `input_line`
/// after a cut at its start: the end itself, or the end repaired and
/// normalised again (repair reads "Ã " at a line start as a mangled "à ").
fn is_cut_end(input_line: &str, line: &str) -> bool {
    if input_line.ends_with(line) {
        return true;
    }
    let mut norm = Normaliser::new(NormaliseOptions::default());
    (input_line.char_indices()).any(|(at, _)| {
        let end = &input_line[at..];
        let repaired = repair(end, &Config::default().repair, &mut RepairCounts::default());
        restage(&repaired, &mut norm) == line
    })
}

/// Every non-blank output line is an input line (or the end of one, after a
/// span cut at its start: see [`is_cut_end`]), in order.
fn assert_subsequence(input: &[u8], output: &str) -> Result<(), TestCaseError> {
    let reference = normalised_lines(input);
    let mut rest = reference.iter();
    for line in output.lines().filter(|l| !l.is_empty()) {
        let found = rest.any(|r| r == line || is_cut_end(r, line));
        prop_assert!(
            found,
            "kept line {line:?} is not an input line in order; input lines {reference:?}"
        );
    }
    Ok(())
}

/// The invariants every successful clean must hold.
fn check(w: usize, input: &[u8], idempotent: bool) -> Result<(), TestCaseError> {
    let Some(out) = clean(w, input) else {
        return Ok(());
    };
    let text = match std::str::from_utf8(&out) {
        Ok(t) => t,
        Err(e) => return Err(TestCaseError::fail(format!("output is not UTF-8: {e}"))),
    };
    prop_assert!(
        text.is_empty() || (text.ends_with('\n') && !text.ends_with("\n\n")),
        "output must be empty or end with exactly one LF: {text:?}"
    );
    if idempotent {
        let again = clean(w, &out).expect("clean output is not binary");
        prop_assert_eq!(String::from_utf8_lossy(&again), text, "not idempotent");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Generated documents.

/// Notices the built-in rules remove.
const NOTICES: &[&str] = &[
    "To view this content, you'll need to update your privacy settings.",
    "Please click here to do so.",
    "Advertisement",
    "Media playback is unsupported on your device",
    "Image copyright Getty Images",
    "Share this article Facebook Twitter Email",
    "Sign up for our newsletter",
    "Accept all cookies",
    "Read more: Politics",
    "Published 14:02 GMT",
    "Related Topics",
];

/// Words of prose, some with Unicode that normalisation touches.
const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "on",
    "Tuesday",
    "that",
    "homes",
    "were",
    "flooded",
    "in",
    "Zürich",
    "café",
    "naïve",
    "東京",
    "😀",
    "e\u{301}",
    "ﬁnance",
    "“quoted”",
    "don’t",
    "—",
    "3,000",
    "14:02",
    "Advertisement",
    "cookies",
    "privacy",
    "newsletter",
    "Image",
    "caption",
    "Москва",
];

/// Whitespace mess between words.
const GAPS: &[&str] = &[" ", " ", " ", "  ", "\t", "\u{a0}", "\u{200b} ", "\u{3000}"];

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(WORDS),
            prop::sample::select(GAPS),
            prop::option::weighted(0.05, any::<char>()),
        ),
        1..25,
    )
    .prop_map(|words| {
        let mut s = String::new();
        for (i, (w, gap, c)) in words.into_iter().enumerate() {
            if i > 0 {
                s.push_str(gap);
            }
            s.push_str(w);
            if let Some(c) = c {
                s.push(c);
            }
        }
        s
    })
}

/// One line of a document.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => paragraph(),
        2 => prop::sample::select(NOTICES).prop_map(str::to_string),
        1 => (prop::sample::select(GAPS), prop::sample::select(NOTICES), prop::sample::select(GAPS))
            .prop_map(|(a, n, b)| format!("{a}{}{b}", n.to_uppercase())),
        1 => prop::sample::select(NOTICES)
            .prop_flat_map(|n| paragraph().prop_map(move |p| format!("{n} {p}"))),
        2 => prop::sample::select(&["", "", " ", "\t", "\u{a0}"][..]).prop_map(str::to_string),
    ]
}

/// A document: lines joined by LF, CRLF or lone CR.
fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            line(),
            prop::sample::select(&["\n", "\n", "\n", "\r\n", "\r"][..]),
        ),
        0..30,
    )
    .prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|(l, eol)| [l, eol.to_string()])
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_hold_the_invariants(input in prop::collection::vec(any::<u8>(), 0..600)) {
        check(DEFAULT, &input, true)?;
    }

    #[test]
    fn arbitrary_bytes_kept_lines_are_input_lines_in_order(
        input in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        if let Some(out) = clean_default(&input) {
            assert_subsequence(&input, &String::from_utf8(out).expect("UTF-8"))?;
        }
    }

    #[test]
    fn documents_hold_the_invariants(doc in document()) {
        check(DEFAULT, doc.as_bytes(), true)?;
    }

    #[test]
    fn documents_kept_lines_are_input_lines_in_order(doc in document()) {
        if let Some(out) = clean_default(doc.as_bytes()) {
            assert_subsequence(doc.as_bytes(), &String::from_utf8(out).expect("UTF-8"))?;
        }
    }

    /// Any window from the minimum up: no panic, the output invariants hold
    /// (idempotence is not asserted across windows: repetition is counted
    /// per window, by design).
    #[test]
    fn any_window_never_panics(
        w in 0..WINDOWS.len(),
        input in prop::collection::vec(any::<u8>(), 0..1500),
    ) {
        check(w, &input, false)?;
    }

    #[test]
    fn any_window_on_documents(w in 0..WINDOWS.len(), doc in document()) {
        check(w, doc.as_bytes(), false)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Idempotence on more cases than the invariants above.
    #[test]
    fn documents_are_idempotent_unfiltered(doc in document()) {
        check(DEFAULT, doc.as_bytes(), true)?;
    }

    #[test]
    fn arbitrary_bytes_are_idempotent_unfiltered(input in prop::collection::vec(any::<u8>(), 0..600)) {
        check(DEFAULT, &input, true)?;
    }
}

// ---------------------------------------------------------------------------
// Regression tests: one per bug found by the properties or the fuzzers.

/// Cleans `input` twice with the default options; returns both outputs.
fn twice(input: &[u8]) -> (String, String) {
    let once = clean_default(input).expect("cleans");
    let again = clean_default(&once).expect("cleans again");
    (
        String::from_utf8(once).expect("UTF-8"),
        String::from_utf8(again).expect("UTF-8"),
    )
}

/// Asserts that cleaning `input` gives `want` and that cleaning that again
/// changes nothing.
fn assert_idempotent(input: &str, want: &str) {
    let (once, again) = twice(input.as_bytes());
    assert_eq!(once, want, "first pass of {input:?}");
    assert_eq!(again, once, "second pass of {input:?}");
}

#[test]
fn idempotent_escaped_entity() {
    // The foundation gave "AT&amp;T\n", then "AT&T\n"; fixed in 4967af8.
    assert_idempotent("AT&amp;amp;T\n", "AT&T\n");
}

#[test]
fn idempotent_escaped_tag() {
    // The foundation gave "<br>x\n", then "x\n"; fixed in 4967af8.
    // Either answer is defensible; one pass must give the same as two.
    let (once, again) = twice(b"&lt;br&gt;x\n");
    assert_eq!(again, once);
}

#[test]
fn idempotent_span_cut_twice() {
    // The foundation gave "Media playback is unsupported on your device
    // Hello\n", then "Hello\n"; fixed in 4967af8.
    assert_idempotent(
        "Media playback is unsupported on your device Media playback is unsupported on your device Hello\n",
        "Hello\n",
    );
}

#[test]
fn idempotent_span_cut_leaves_notice() {
    // The foundation gave "Advertisement\n", then ""; fixed in 4967af8.
    assert_idempotent(
        "Media playback is unsupported on your device Advertisement\n",
        "",
    );
}

#[test]
fn idempotent_trimmed_line_repeats() {
    // The foundation gave "Foo bar\nFoo bar\n", then ""; fixed in 4967af8.
    let (once, again) = twice(b"Image caption Foo bar\nFoo bar\n");
    assert_eq!(again, once);
}

#[test]
fn idempotent_control_inside_mojibake() {
    // UTF-8 input "cafÃ\x07©": got "cafÃ©\n", then "café\n".
    assert_idempotent("caf\u{c3}\u{7}\u{a9}\n", "café\n");
}

#[test]
fn idempotent_proptest_ce_1b_98() {
    // Found by arbitrary_bytes_hold_the_invariants, minimised: the bytes
    // CE 1B 98 decode (windows-1252, by detection) to "Î\x1b˜"; the first
    // pass gives "Î˜\n", the second "Θ\n".
    let (once, again) = twice(&[0xce, 0x1b, 0x98]);
    assert_eq!(again, once);
}

#[test]
fn idempotent_tab_after_mojibake_lead() {
    // Found by documents_are_idempotent_unfiltered, minimised by proptest
    // from "Advertisement theÂ\tthe\n": got "theÂ the\n", then "the the\n".
    let (once, again) = twice("theÂ\tthe\n".as_bytes());
    assert_eq!(again, once);
}

#[test]
fn idempotent_zero_width_inside_mojibake() {
    // "cafÃ\u{200b}©": got "cafÃ©\n", then "café\n".
    let (once, again) = twice("caf\u{c3}\u{200b}\u{a9}\n".as_bytes());
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_ascii_quotes_nfkc() {
    // fuzz/seeds/pipeline/crash-idempotent-ascii-quotes-nfkc, found by the
    // `pipeline` fuzz target and minimised with `cargo fuzz tmin`: options
    // window 65, strip, no repetition, NFKC, ASCII quotes; bytes AB EC 87 87
    // decode (windows-1252, by detection) to "«ì‡‡". The first pass gives
    // "\"ì‡‡\n" (the guillemet straightened after repair), the second
    // repairs the now separate "ì‡‡" to "쇇": "\"쇇\n".
    let (once, again) = twice_quotes_nfkc(&[0xab, 0xec, 0x87, 0x87]);
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_tag_joined_by_tag_removal() {
    // fuzz/seeds/pipeline/crash-idempotent-tag-joined-by-removal (found on
    // 890dc2a after 74 minutes, minimised with `cargo fuzz tmin`; window
    // 1024, strip, no repetition, ASCII quotes, none of which matter here):
    // "&lt;b&lt;s/&gt;/&gt;" decodes to "<b<s/>/>"; the first pass removed
    // the tag "<s/>" and left the "<b/>" it joined, the second removed that.
    let (once, again) = twice(b"Storm &lt;b&lt;s/&gt;/&gt;hits\n");
    assert_eq!(once, "Storm hits\n");
    assert_eq!(again, once);
    // The shape it came from: a closing tag inside an unclosed one.
    assert_idempotent(
        "NIZ KUTLU OLSUN!&lt;br /&gd;&lt;/span&gt;&br /&gt; Istanbul\n",
        "NIZ KUTLU OLSUN! Istanbul\n",
    );
}

/// Cleans twice with the options of the fuzz crashes: window 65, strip, no
/// repetition, NFKC, ASCII quotes.
fn twice_quotes_nfkc(input: &[u8]) -> (String, String) {
    let cleaner = Cleaner::new(
        Config {
            window: 65,
            repeat: decruft::RepeatOptions {
                enabled: false,
                ..decruft::RepeatOptions::default()
            },
            normalise: NormaliseOptions {
                form: decruft::normalise::UnicodeForm::Nfkc,
                ascii_quotes: true,
            },
            ..Config::default()
        },
        RuleSet::builtin(),
    );
    let mut worker = cleaner.worker();
    let mut once = Vec::new();
    worker.clean(input, &mut once, None).expect("cleans");
    let mut again = Vec::new();
    worker
        .clean(&once[..], &mut again, None)
        .expect("cleans again");
    (
        String::from_utf8(once).expect("UTF-8"),
        String::from_utf8(again).expect("UTF-8"),
    )
}

#[test]
fn idempotent_fuzz_ascii_quotes_macroman() {
    // fuzz/seeds/pipeline/crash-idempotent-ascii-quotes-macroman (found on
    // 5724204, minimised with `cargo fuzz tmin`; its options differ only in
    // window and repetition, which do not matter here): bytes 4D AB 83 A2
    // decode (windows-1252) to "M«ƒ¢"; the first pass gives "M\"ƒ¢\n",
    // the second reads "ƒ¢" as MacRoman mojibake: "M\"Ģ\n".
    let (once, again) = twice_quotes_nfkc(&[0x4d, 0xab, 0x83, 0xa2]);
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_double_zwnj() {
    // fuzz/seeds/pipeline/crash-idempotent-double-zwnj, found by the
    // `pipeline` fuzz target and minimised with `cargo fuzz tmin`: bytes
    // CF FF 9D 9D 52 decode (windows-1256, by detection) to "دے", two ZWNJ,
    // "R". The first ZWNJ is kept (its next character, the second ZWNJ, is
    // not ASCII), the second dropped (before ASCII): "دے\u{200c}R\n"; the
    // second pass drops the survivor: "دےR\n". The same in UTF-8:
    let (once, again) = twice("د\u{6d2}\u{200c}\u{200c}R\n".as_bytes());
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_soft_hyphen_before_mojibake() {
    // fuzz/seeds/pipeline/crash-idempotent-soft-hyphen (found on 5724204,
    // minimised with `cargo fuzz tmin`; default options but a 64-byte
    // window, which does not matter here): bytes AD C5 A7 FF decode
    // (windows-1252) to soft hyphen, "Å§ÿ". The first pass drops the soft
    // hyphen after repair gave up on the line: "Å§ÿ\n"; the second repairs
    // "Å§" to "ŧ": "ŧÿ\n".
    let (once, again) = twice(&[0xad, 0xc5, 0xa7, 0xff]);
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_lone_cr_before_mojibake() {
    // fuzz/seeds/pipeline/crash-idempotent-lone-cr (found on 5724204,
    // minimised with `cargo fuzz tmin`; default options but a 64-byte
    // window, which does not matter here): bytes FF 0D 73 CF BF decode
    // (windows-1252) to "ÿ", lone CR, "sÏ¿". Repair sees one line
    // "ÿ\rsÏ¿" that does not re-encode; the splitter then makes "sÏ¿" a line
    // of its own: "ÿ\nsÏ¿\n". The second pass repairs it: "ÿ\nsϿ\n".
    let (once, again) = twice(&[0xff, 0x0d, 0x73, 0xcf, 0xbf]);
    assert_eq!(again, once);
}

/// A control character between a letter and its combining mark: composed
/// before the control was dropped, the mark was left loose and composed only
/// on the next pass (proptest, 20,000 cases: windows-1252 bytes
/// "Ô\x01Ì\u{81}Aš", which repair reads as UTF-8 "A\x01\u{301}A").
#[test]
fn idempotent_control_between_letter_and_combining_mark() {
    let (once, again) = twice(&[212, 1, 204, 129, 65, 154]);
    assert_eq!(again, once);
    assert!(!once.contains('\u{301}'), "the mark is composed: {once:?}");
}

#[test]
fn idempotent_fuzz_joiner_before_straightened_quote() {
    // fuzz/seeds/pipeline/crash-idempotent-joiner-before-quote (found by the
    // `pipeline` target with --nfkc --ascii-quotes): a ZWNJ between "›" and
    // a curly quote was kept (both neighbours non-ASCII), then the quote
    // was straightened to '"', and the second pass dropped the ZWNJ. The
    // joiner is now judged by the characters as they are written.
    let (once, again) = twice_quotes_nfkc("ے›\u{200c}“\n".as_bytes());
    assert_eq!(again, once);
    assert!(!once.contains('\u{200c}'), "{once:?}");
}

/// fuzz/seeds/pipeline/crash-idempotent-line-over-4k (found by the
/// `pipeline` target once its inputs reached it whole): 2,158 bytes of
/// windows-1252 that decode to one 4,200-byte line of layered mojibake.
/// Lines over `MAX_EXHAUSTIVE_FIX` bytes got 16 repair rounds per pass;
/// this one needs more, and its output, 4,066 bytes, was repaired to the
/// end only by a second pass. Now a long line gets the rounds
/// `FIX_BUDGET` pays for (as many bytes as a 4 KiB line's rounds cost).
#[test]
fn idempotent_fuzz_line_over_4k() {
    let (once, again) = twice(&LINE_OVER_4K[6..]);
    assert_eq!(again, once);
}

/// The fuzz input above: six bytes of options, then the text.
const LINE_OVER_4K: &[u8] = include_bytes!("../fuzz/seeds/pipeline/crash-idempotent-line-over-4k");

#[test]
fn idempotent_fuzz_line_over_4k_cut_to_the_bound() {
    // The same bytes, cut where the decoded line stays within the bound:
    // repaired to the end in one pass.
    let text = &LINE_OVER_4K[6..];
    let decoded = |b: &[u8]| encoding_rs::WINDOWS_1252.decode(b).0.len();
    let mut cut = text.len();
    while decoded(&text[..cut]) > decruft::repair::MAX_EXHAUSTIVE_FIX {
        cut -= 1;
    }
    assert!(cut > 1500, "most of the line stays ({cut} bytes)");
    let (once, again) = twice(&text[..cut]);
    assert_eq!(again, once);
}

/// fuzz/seeds/pipeline/crash-idempotent-span-cut-before-mojibake (found
/// by CI's 30-second smoke run of the `pipeline` target, with --repeat-min 3
/// and --nfkc): "Image caption, \xC3 man walks past". Repair runs before
/// the rules and leaves "Ã " in mid-line; the image-credit span rule then
/// cuts "Image caption, ", and the second pass repairs the "Ã " now at the
/// start of the line to "à". It failed with the default options too. Now
/// what a cut leaves is staged and judged again as a line of its own.
#[test]
fn idempotent_fuzz_span_cut_before_mojibake() {
    // Six option bytes, then a UTF-8 article with one stray byte.
    let input =
        &include_bytes!("../fuzz/seeds/pipeline/crash-idempotent-span-cut-before-mojibake")[6..];
    let (once, again) = twice(input);
    assert_eq!(again, once);
}

#[test]
fn idempotent_fuzz_long_mojibake_run() {
    // fuzz/seeds/pipeline/crash-idempotent-long-mojibake-run (found by the
    // `pipeline` target in this session): "Ã" then a long run of "ƒ" (bytes
    // C3 and 83 in windows-1252). Each repair step turns one "Ãƒ" into "Ã",
    // so one "ƒ" goes per step; with 16 steps per pass the first pass left
    // "ƒ"s that the second removed. Short lines are now repaired to the end.
    let input = format!("Prices 333 ÃÃÃÃÃ{}Ã units\n", "ƒ".repeat(40));
    let (once, again) = twice(input.as_bytes());
    assert_eq!(again, once);
}

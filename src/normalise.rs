//! Normalise stage: one raw line in, one canonical line out.
//!
//! Tabs, runs of spaces, NBSP and every other Unicode space become one
//! plain space, and the ends are trimmed. Zero-width spaces, BOMs inside the
//! text, word joiners and soft hyphens go; ZWJ and ZWNJ stay where they sit
//! next to non-ASCII text (emoji sequences, Indic and Persian scripts need
//! them) and go where they only split ASCII words. C0 and C1 control
//! characters go. Then NFC (or NFKC with `--nfkc`), and typographic quotes
//! and dashes become ASCII with `--ascii-quotes`.
//!
//! Most lines of news text are already canonical: a byte scan proves it and
//! the line is copied out as is, with no per-character work.
//!
//! The judge sees lines after this stage, so rules match canonical text and
//! need no whitespace or Unicode tolerance of their own.

use crate::scan::first_byte;
use memchr::memmem;
use std::sync::LazyLock;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

/// Which Unicode normalisation form the output takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnicodeForm {
    /// Canonical composition (the default).
    Nfc,
    /// Compatibility composition (`--nfkc`), for NLP pipelines.
    Nfkc,
    /// Leave the form as it is.
    Keep,
}

/// Normalisation options.
#[derive(Clone, Copy, Debug)]
pub struct NormaliseOptions {
    /// The Unicode form.
    pub form: UnicodeForm,
    /// `--ascii-quotes`: straighten quotes and dashes.
    pub ascii_quotes: bool,
}

impl Default for NormaliseOptions {
    fn default() -> Self {
        NormaliseOptions {
            form: UnicodeForm::Nfc,
            ascii_quotes: false,
        }
    }
}

/// Normalises lines, reusing a scratch buffer.
#[derive(Debug, Default)]
pub struct Normaliser {
    opts: Option<NormaliseOptions>,
    composed: String,
}

/// Is this byte fine as it is in an ASCII line?
#[inline]
fn plain_ascii(b: u8) -> bool {
    (0x21..0x7f).contains(&b)
}

impl Normaliser {
    /// A normaliser with these options.
    pub fn new(opts: NormaliseOptions) -> Normaliser {
        Normaliser {
            opts: Some(opts),
            composed: String::new(),
        }
    }

    fn opts(&self) -> NormaliseOptions {
        self.opts.unwrap_or_default()
    }

    /// Appends the normalised form of `line` (no terminator) to `out` and
    /// says whether it differs from `line`. The common canonical line is
    /// known to be unchanged without comparing it again.
    pub fn normalise_into(&mut self, line: &str, out: &mut String) -> bool {
        if is_canonical_ascii(line.as_bytes()) {
            out.push_str(line);
            return false;
        }
        let opts = self.opts();
        // Fold first: a control or invisible character between a letter and
        // its combining mark would otherwise block composition, and the
        // mark would be left loose once the character is dropped.
        let start = out.len();
        fold(line, opts.ascii_quotes, out);
        let folded = &out[start..];
        let needs_form = match opts.form {
            // Every character below U+0300 is NFC-stable, and a combining
            // mark that could compose with one starts with a byte >= 0xCC.
            // The quick check starts there too: what comes before is all
            // starters that are NFC as they are.
            UnicodeForm::Nfc => first_byte(folded.as_bytes(), |b| b >= 0xCC)
                .is_some_and(|at| is_nfc_quick(folded[at..].chars()) != IsNormalized::Yes),
            UnicodeForm::Nfkc => {
                !folded.is_ascii() && is_nfkc_quick(folded.chars()) != IsNormalized::Yes
            }
            UnicodeForm::Keep => false,
        };
        if needs_form {
            let mut composed = std::mem::take(&mut self.composed);
            composed.clear();
            match opts.form {
                UnicodeForm::Nfc => composed.extend(out[start..].nfc()),
                _ => composed.extend(out[start..].nfkc()),
            }
            out.truncate(start);
            // NFKC can turn characters into spaces (U+00A0, U+2002) or into
            // typographic quotes: fold once more.
            fold(&composed, opts.ascii_quotes, out);
            self.composed = composed;
        }
        out[start..] != *line
    }

    /// The normalised form of `line`, as a new string.
    pub fn normalise(&mut self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        self.normalise_into(line, &mut out);
        out
    }
}

/// True for a line of printable ASCII with single inner spaces and no space
/// at either end: the common case, needing no change. Checked 32 bytes at a
/// time without early exits, so the compiler vectorises it, then one
/// `memmem` for a double space.
fn is_canonical_ascii(b: &[u8]) -> bool {
    match (b.first(), b.last()) {
        (None, _) => return true,
        (Some(&f), Some(&l)) if plain_ascii(f) && plain_ascii(l) => {}
        _ => return false,
    }
    let printable = b.chunks(32).all(|chunk| {
        chunk
            .iter()
            .fold(true, |ok, &c| ok & (c.wrapping_sub(0x20) < 0x5f))
    });
    printable && memchr::memmem::find(b, b"  ").is_none()
}

/// Folds whitespace and drops invisible and control characters. Runs of
/// printable ASCII are copied whole; only other bytes are looked at one by
/// one.
fn fold(line: &str, ascii_quotes: bool, out: &mut String) {
    let start = out.len();
    let bytes = line.as_bytes();
    let mut pending_space = false;
    let mut prev_non_ascii = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (0x20..0x7f).contains(&b) {
            // A run of printable ASCII is copied in stretches of single
            // spaces; only runs of spaces, and spaces at either end of the
            // run, are looked at.
            let rest = &bytes[i..];
            let end = i + first_byte(rest, |c| c.wrapping_sub(0x20) >= 0x5f).unwrap_or(rest.len());
            let mut seg = &line[i..end];
            while !seg.is_empty() {
                let trimmed = seg.trim_start_matches(' ');
                if trimmed.len() < seg.len() {
                    pending_space = true;
                    seg = trimmed;
                    if seg.is_empty() {
                        break;
                    }
                }
                let cut = DOUBLE_SPACE.find(seg.as_bytes()).unwrap_or(seg.len());
                let body = seg[..cut].trim_end_matches(' ');
                if pending_space && out.len() > start {
                    out.push(' ');
                }
                out.push_str(body);
                pending_space = body.len() < cut;
                prev_non_ascii = false;
                seg = &seg[cut..];
            }
            i = end;
            continue;
        }
        if b < 0x80 {
            // Space, tab and the other ASCII whitespace fold; other control
            // characters (and DEL) go.
            if b == b' ' || (0x09..=0x0d).contains(&b) {
                pending_space = true;
            }
            i += 1;
            continue;
        }
        let c = line[i..]
            .chars()
            .next()
            .expect("i is at a character boundary");
        i += c.len_utf8();
        match c {
            c if is_dropped(c) => {}
            '\u{200C}' | '\u{200D}' => {
                // A joiner stays only between two characters that are
                // written next to it and are not ASCII: not after a space
                // or another joiner, and not before whitespace, ASCII or
                // the end of the line. Invisible and control characters in
                // between are dropped, so they are looked through, and a
                // quote is judged as it will be written.
                let next = line[i..]
                    .chars()
                    .find(|&n| {
                        !(is_dropped(n)
                            || matches!(n, '\u{200C}' | '\u{200D}')
                            || n.is_control() && !n.is_whitespace())
                    })
                    .map(|n| if ascii_quotes { straighten(n) } else { n });
                let next_ok = next.is_some_and(|n| !n.is_ascii() && !n.is_whitespace());
                if prev_non_ascii && !pending_space && next_ok {
                    emit(c, &mut pending_space, start, out);
                    // Any further joiner before the next character goes.
                    prev_non_ascii = false;
                }
            }
            c if c.is_whitespace() => pending_space = true,
            c if c.is_control() => {}
            c => {
                let c = if ascii_quotes { straighten(c) } else { c };
                prev_non_ascii = !c.is_ascii();
                emit(c, &mut pending_space, start, out);
            }
        }
    }
}

#[inline]
fn emit(c: char, pending_space: &mut bool, start: usize, out: &mut String) {
    if *pending_space && out.len() > start {
        out.push(' ');
    }
    *pending_space = false;
    out.push(c);
}

/// Finds runs of spaces to fold inside printable ASCII.
static DOUBLE_SPACE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("  "));

/// Invisible characters the normaliser always drops (joiners are judged
/// by their neighbours instead).
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}' | '\u{180E}'
    )
}

/// Typographic quotes and dashes to ASCII.
fn straighten(c: char) -> char {
    match c {
        '‘' | '’' | '‚' | '‛' | '′' => '\'',
        '“' | '”' | '„' | '‟' | '″' | '«' | '»' => '"',
        '–' | '—' | '‐' | '‑' | '‒' | '―' | '−' => '-',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normaliser::new(NormaliseOptions::default()).normalise(s)
    }

    #[test]
    fn whitespace_is_folded_and_trimmed() {
        let cases = [
            ("plain line", "plain line"),
            ("  two\t\tspaces  here ", "two spaces here"),
            (
                "non\u{a0}breaking\u{2009}thin\u{3000}ideographic",
                "non breaking thin ideographic",
            ),
            ("zero\u{200B}width soft\u{AD}hyphen", "zerowidth softhyphen"),
            ("bell\u{7}and\u{85}nel c1\u{9c}", "belland nel c1"),
            ("", ""),
            ("\u{a0}\u{a0}", ""),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input), want, "input {input:?}");
        }
    }

    #[test]
    fn joiners_stay_inside_scripts_and_emoji_only() {
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(norm(family), family);
        let persian = "می\u{200C}خواهم";
        assert_eq!(norm(persian), persian);
        assert_eq!(norm("ab\u{200D}cd"), "abcd");
    }

    /// Whatever surrounds a joiner, normalising twice changes nothing
    /// (cases from the pipeline fuzz target).
    #[test]
    fn joiners_are_judged_by_what_is_written() {
        let cases = [
            // A C1 control after the joiner is dropped: the line ends there.
            ("حح\u{200C}\u{85}", "حح"),
            ("حح\u{200C}\u{9C}", "حح"),
            // Joiner, zero-width space, joiner: one joiner survives.
            ("ح\u{200C}\u{200B}\u{200C}ح", "ح\u{200C}ح"),
            // After a space the joiner goes.
            ("ح \u{200C}ح", "ح ح"),
        ];
        for (input, want) in cases {
            let once = norm(input);
            assert_eq!(once, want, "input {input:?}");
            assert_eq!(norm(&once), once, "second pass of {input:?}");
        }
    }

    #[test]
    fn unicode_forms() {
        assert_eq!(norm("Cafe\u{301}"), "Café");
        let mut nfkc = Normaliser::new(NormaliseOptions {
            form: UnicodeForm::Nfkc,
            ascii_quotes: false,
        });
        assert_eq!(nfkc.normalise("ﬁnance №５"), "finance No5");
        let mut quotes = Normaliser::new(NormaliseOptions {
            form: UnicodeForm::Nfc,
            ascii_quotes: true,
        });
        assert_eq!(quotes.normalise("“It’s — fine”"), "\"It's - fine\"");
        assert_eq!(norm("“It’s — fine”"), "“It’s — fine”");
    }

    #[test]
    fn reports_whether_the_line_changed() {
        let mut n = Normaliser::new(NormaliseOptions::default());
        let mut out = String::new();
        assert!(!n.normalise_into("Plain line.", &mut out));
        assert!(!n.normalise_into("Café déjà vu", &mut out));
        assert!(n.normalise_into("two  spaces", &mut out));
        assert!(n.normalise_into("Cafe\u{301}", &mut out));
        assert_eq!(out, "Plain line.Café déjà vutwo spacesCafé");
    }

    #[test]
    fn canonical_ascii_fast_path_is_exact() {
        assert!(is_canonical_ascii(b"Hello world."));
        assert!(!is_canonical_ascii(b"Hello  world."));
        assert!(!is_canonical_ascii(b" Hello"));
        assert!(!is_canonical_ascii(b"Hello\tworld"));
        assert!(!is_canonical_ascii("Caf\u{e9}".as_bytes()));
    }
}

//! Line keys: a 64-bit fingerprint of a line's *template*.
//!
//! Repetition inside a document and recurrence across a corpus both compare
//! lines by key, so that template variants meet: case is folded, every run
//! of digits becomes one `0`, English month and weekday names (full or
//! three-letter) become `§`, punctuation and symbols are dropped and
//! whitespace is folded. "Updated 14:02 GMT, Mon 3 March" and "updated
//! 09:15 gmt, Fri 11 Apr" share a key. Keys are xxh3 hashes, stable across platforms and releases, so they
//! can be written into profiles; only the hash is kept, never the text.

use xxhash_rust::xxh3::xxh3_64;

/// Computes line keys, reusing one scratch buffer.
#[derive(Debug, Default)]
pub struct KeyMaker {
    scratch: Vec<u8>,
    words: u32,
}

#[inline]
fn is_ascii_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// Month and weekday names, whole or abbreviated, lower-case: decided by
/// the first three letters, then the whole word, instead of comparing
/// with every name at the end of every word.
#[inline(always)]
fn is_date_name(w: &[u8]) -> bool {
    // Cheap gates first: this runs at the end of every word.
    if !(3..=9).contains(&w.len())
        || !matches!(
            w[0],
            b'a' | b'd' | b'f' | b'j' | b'm' | b'n' | b'o' | b's' | b't' | b'w'
        )
    {
        return false;
    }
    let names: &[&[u8]] = match &w[..3] {
        b"jan" => &[b"jan", b"january"],
        b"feb" => &[b"feb", b"february"],
        b"mar" => &[b"mar", b"march"],
        b"apr" => &[b"apr", b"april"],
        b"may" => &[b"may"],
        b"jun" => &[b"jun", b"june"],
        b"jul" => &[b"jul", b"july"],
        b"aug" => &[b"aug", b"august"],
        b"sep" => &[b"sep", b"sept", b"september"],
        b"oct" => &[b"oct", b"october"],
        b"nov" => &[b"nov", b"november"],
        b"dec" => &[b"dec", b"december"],
        b"mon" => &[b"mon", b"monday"],
        b"tue" => &[b"tue", b"tues", b"tuesday"],
        b"wed" => &[b"wed", b"wednesday"],
        b"thu" => &[b"thu", b"thur", b"thurs", b"thursday"],
        b"fri" => &[b"fri", b"friday"],
        b"sat" => &[b"sat", b"saturday"],
        b"sun" => &[b"sun", b"sunday"],
        _ => return false,
    };
    names.contains(&w)
}

/// A template being written into a buffer sized for the worst case.
struct Template<'b> {
    buf: &'b mut [u8],
    len: usize,
    words: u32,
    pending_space: bool,
}

impl Template<'_> {
    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// Writes the space owed before the next token, unless at the start.
    #[inline]
    fn space(&mut self) {
        if self.pending_space && self.len > 0 {
            self.push(b" ");
        }
        self.pending_space = false;
    }

    /// Replaces the word at `start..` by `§` when it names a month or a
    /// day, else counts it. Runs at the end of every word: always inlined.
    #[inline(always)]
    fn end_word(&mut self, start: usize) {
        if is_date_name(&self.buf[start..self.len]) {
            self.len = start;
            self.push("§".as_bytes());
        } else {
            self.words += 1;
        }
    }
}

impl KeyMaker {
    /// A key maker with an empty scratch buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The template of `line` (as compared), for display and tests.
    ///
    /// ASCII, most of every line, is handled a run at a time: a run of
    /// letters is copied and lower-cased in one piece, a run of digits
    /// becomes one `0`, a run of spaces one pending space. Other characters
    /// go one by one. The result is exactly that of the character-by-
    /// character definition (profiles store these keys; a test compares).
    pub fn template<'s>(&'s mut self, line: &str) -> &'s str {
        self.build(line);
        std::str::from_utf8(&self.scratch).expect("a template is made of whole characters")
    }

    /// Writes the template of `line` into the scratch buffer. The buffer
    /// is sized once for the worst case (a lower-cased character can grow
    /// from two bytes to three) and written by index, so the byte loop
    /// keeps its position in a register instead of growing a vector.
    fn build(&mut self, line: &str) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        buf.resize(line.len() * 2 + 8, 0);
        let mut t = Template {
            buf: &mut buf,
            len: 0,
            words: 0,
            pending_space: false,
        };
        let mut in_digits = false;
        // Start of the word being written, to fold date names when it ends.
        let mut word: Option<usize> = None;
        let bytes = line.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if is_ascii_letter(b) {
                in_digits = false;
                if word.is_none() {
                    t.space();
                    word = Some(t.len);
                }
                // The run of letters, lower-cased (bit 5 set) as it is copied.
                let mut len = t.len;
                while let Some(&c) = bytes.get(i) {
                    if !is_ascii_letter(c) {
                        break;
                    }
                    t.buf[len] = c | 0x20;
                    len += 1;
                    i += 1;
                }
                t.len = len;
                continue;
            }
            if b >= 0x80 {
                let c = line[i..].chars().next().expect("char boundary");
                i += c.len_utf8();
                if c.is_alphabetic() {
                    in_digits = false;
                    if word.is_none() {
                        t.space();
                        word = Some(t.len);
                    }
                    for lower in c.to_lowercase() {
                        let mut utf8 = [0; 4];
                        t.push(lower.encode_utf8(&mut utf8).as_bytes());
                    }
                    continue;
                }
                if let Some(start) = word.take() {
                    t.end_word(start);
                }
                if c.is_numeric() {
                    if !in_digits {
                        t.space();
                        t.push(b"0");
                    }
                    in_digits = true;
                } else if c.is_whitespace() {
                    in_digits = false;
                    t.pending_space = true;
                }
                continue;
            }
            // ASCII, not a letter: the word being written ends.
            i += 1;
            if let Some(start) = word.take() {
                t.end_word(start);
            }
            if b.is_ascii_digit() {
                if !in_digits {
                    t.space();
                    t.push(b"0");
                }
                in_digits = true;
            } else if b.is_ascii_whitespace() {
                in_digits = false;
                t.pending_space = true;
            }
            // Punctuation and symbols are dropped ("Read more:" meets
            // "Read more") and do not end a number ("14:02" is one).
        }
        if let Some(start) = word {
            t.end_word(start);
        }
        let (len, words) = (t.len, t.words);
        buf.truncate(len);
        self.scratch = buf;
        self.words = words;
    }

    /// The 64-bit key of `line`'s template.
    pub fn key(&mut self, line: &str) -> u64 {
        self.build(line);
        xxh3_64(&self.scratch)
    }

    /// Words (other than month and day names) in the last template made.
    /// A line of only numbers and dates ("3,803", "Friday, 25 February")
    /// has none: its template is shared by unrelated lines everywhere, so
    /// it is no evidence of boilerplate.
    pub fn last_words(&self) -> u32 {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a character is to a template.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Letter,
        Digit,
        Space,
        Other,
    }

    /// The names the first version compared every word with.
    const DATE_NAMES: &[&str] = &[
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "may",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
    ];

    /// The character-by-character definition the fast template must equal
    /// (the first version of `template`, kept as the specification).
    fn reference(line: &str) -> (String, u32) {
        let (mut out, mut words) = (String::new(), 0u32);
        let mut in_digits = false;
        let mut pending_space = false;
        let mut word: Option<usize> = None;
        let push_space = |out: &mut String, pending: &mut bool| {
            if *pending && !out.is_empty() {
                out.push(' ');
            }
            *pending = false;
        };
        let fold = |out: &mut String, words: &mut u32, start: usize| {
            if DATE_NAMES.contains(&&out[start..]) {
                out.truncate(start);
                out.push('§');
            } else {
                *words += 1;
            }
        };
        for c in line.chars() {
            let class = if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    Class::Letter
                } else if c.is_ascii_digit() {
                    Class::Digit
                } else if c.is_ascii_whitespace() {
                    Class::Space
                } else {
                    Class::Other
                }
            } else if c.is_alphabetic() {
                Class::Letter
            } else if c.is_numeric() {
                Class::Digit
            } else if c.is_whitespace() {
                Class::Space
            } else {
                Class::Other
            };
            if class == Class::Letter {
                in_digits = false;
                if word.is_none() {
                    push_space(&mut out, &mut pending_space);
                    word = Some(out.len());
                }
                out.extend(c.to_lowercase());
                continue;
            }
            if let Some(start) = word.take() {
                fold(&mut out, &mut words, start);
            }
            match class {
                Class::Digit => {
                    if !in_digits {
                        push_space(&mut out, &mut pending_space);
                        out.push('0');
                    }
                    in_digits = true;
                }
                Class::Space => {
                    in_digits = false;
                    pending_space = true;
                }
                _ => {}
            }
        }
        if let Some(start) = word {
            fold(&mut out, &mut words, start);
        }
        (out, words)
    }

    #[test]
    fn date_names_are_exactly_the_list() {
        for name in DATE_NAMES {
            assert!(is_date_name(name.as_bytes()), "{name}");
        }
        for word in [
            "ja",
            "janu",
            "mayday",
            "sunda",
            "septembers",
            "thursd",
            "monk",
            "the",
        ] {
            assert!(!is_date_name(word.as_bytes()), "{word}");
        }
    }

    proptest! {
        /// The run-at-a-time template is the character-by-character one,
        /// word count included, on text mixing every class of character.
        #[test]
        fn template_equals_definition(
            parts in proptest::collection::vec(
                prop::sample::select(vec![
                    "Updated", "14:02", " ", "  ", "\t", "GMT,", "Mon", "march", "MAY",
                    "café", "ÜBER", "٣", "Ⅻ", "\u{a0}", "\u{2003}", "—", "\"", "3,803",
                    "sept", "x", "Ⅷday", "ǅ", "İ", "ß", "\n", "-", "fri", "a1b2", "September",
                    "THURSDAY", "tues", "Jan.", "sun", "day", "Ωmega", "ǈ",
                ]),
                0..24,
            )
        ) {
            let line: String = parts.concat();
            let mut k = KeyMaker::new();
            let (want, words) = reference(&line);
            prop_assert_eq!(k.template(&line), want.as_str());
            prop_assert_eq!(k.last_words(), words);
        }
    }

    #[test]
    fn template_variants_meet() {
        let mut k = KeyMaker::new();
        assert_eq!(
            k.template("Updated 14:02 GMT, 3 March 2024"),
            "updated 0 gmt 0 § 0"
        );
        assert_eq!(
            k.key("Last modified on Wed 9 Apr 2025"),
            k.key("last modified on Sunday 30 October 2024")
        );
        assert_eq!(k.template("Mayday for Marchers"), "mayday for marchers");
        k.key("Friday, 25 February");
        assert_eq!(k.last_words(), 0);
        k.key("Updated 14:02 GMT");
        assert_eq!(k.last_words(), 2);
        assert_eq!(k.key("Updated 14:02 GMT"), k.key("updated  09:15 gmt"));
        assert_eq!(k.key("Read more:"), k.key("READ MORE"));
        assert_ne!(k.key("Read more"), k.key("Read less"));
        assert_eq!(k.template("Café   Ünïcode"), "café ünïcode");
    }
}

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
    scratch: String,
    words: u32,
}

/// What a character is to a template.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Space,
    Other,
}

impl KeyMaker {
    /// A key maker with an empty scratch buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The template of `line` (as compared), for display and tests.
    pub fn template<'s>(&'s mut self, line: &str) -> &'s str {
        self.scratch.clear();
        self.words = 0;
        let mut in_digits = false;
        let mut pending_space = false;
        // Start of the word being written, to fold date names when it ends.
        let mut word: Option<usize> = None;
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // ASCII is decided from the byte; anything else by its char.
            let b = bytes[i];
            let (class, c) = if b < 0x80 {
                i += 1;
                let class = if b.is_ascii_alphabetic() {
                    Class::Letter
                } else if b.is_ascii_digit() {
                    Class::Digit
                } else if b.is_ascii_whitespace() {
                    Class::Space
                } else {
                    Class::Other
                };
                (class, char::from(b.to_ascii_lowercase()))
            } else {
                let c = line[i..].chars().next().expect("char boundary");
                i += c.len_utf8();
                let class = if c.is_alphabetic() {
                    Class::Letter
                } else if c.is_numeric() {
                    Class::Digit
                } else if c.is_whitespace() {
                    Class::Space
                } else {
                    Class::Other
                };
                (class, c)
            };
            if class == Class::Letter {
                in_digits = false;
                if word.is_none() {
                    self.push_space(&mut pending_space);
                    word = Some(self.scratch.len());
                }
                if c.is_ascii() {
                    self.scratch.push(c);
                } else {
                    self.scratch.extend(c.to_lowercase());
                }
                continue;
            }
            if let Some(start) = word.take() {
                self.fold_date_name(start);
            }
            match class {
                Class::Digit => {
                    if !in_digits {
                        self.push_space(&mut pending_space);
                        self.scratch.push('0');
                    }
                    in_digits = true;
                }
                Class::Space => {
                    in_digits = false;
                    pending_space = true;
                }
                // Punctuation and symbols are dropped ("Read more:" meets
                // "Read more") and do not end a number ("14:02" is one).
                _ => {}
            }
        }
        if let Some(start) = word {
            self.fold_date_name(start);
        }
        &self.scratch
    }

    /// Replaces the word at `start..` by `§` when it names a month or a day.
    fn fold_date_name(&mut self, start: usize) {
        let w = &self.scratch[start..];
        // Cheap gates first: this runs at the end of every word.
        let plausible = (3..=9).contains(&w.len())
            && matches!(
                w.as_bytes()[0],
                b'a' | b'd' | b'f' | b'j' | b'm' | b'n' | b'o' | b's' | b't' | b'w'
            );
        let date_name = plausible
            && matches!(
                w,
                "jan"
                    | "january"
                    | "feb"
                    | "february"
                    | "mar"
                    | "march"
                    | "apr"
                    | "april"
                    | "may"
                    | "jun"
                    | "june"
                    | "jul"
                    | "july"
                    | "aug"
                    | "august"
                    | "sep"
                    | "sept"
                    | "september"
                    | "oct"
                    | "october"
                    | "nov"
                    | "november"
                    | "dec"
                    | "december"
                    | "mon"
                    | "monday"
                    | "tue"
                    | "tues"
                    | "tuesday"
                    | "wed"
                    | "wednesday"
                    | "thu"
                    | "thur"
                    | "thurs"
                    | "thursday"
                    | "fri"
                    | "friday"
                    | "sat"
                    | "saturday"
                    | "sun"
                    | "sunday"
            );
        if date_name {
            self.scratch.truncate(start);
            self.scratch.push('§');
        } else {
            self.words += 1;
        }
    }

    fn push_space(&mut self, pending: &mut bool) {
        if *pending && !self.scratch.is_empty() {
            self.scratch.push(' ');
        }
        *pending = false;
    }

    /// The 64-bit key of `line`'s template.
    pub fn key(&mut self, line: &str) -> u64 {
        xxh3_64(self.template(line).as_bytes())
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

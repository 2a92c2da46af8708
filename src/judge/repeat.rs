//! Repetition inside one document (`repeated-in-document`).
//!
//! A notice that a scraper copied into every embed slot of an article
//! recurs verbatim; real prose does not. A line is a *candidate* when it is
//! short (at most `max_chars` characters and `max_words` words) and holds a
//! letter or digit (separators such as `* * *` are formatting, not
//! notices); a candidate whose key occurs `min_count` times or more in the
//! window is removed, every copy of it. Lines are compared exactly (after
//! normalisation): a scraper copies a notice verbatim, and folding digits
//! would make "Paragraph 1" meet "Paragraph 2".
//!
//! Measured on the 2,225 clean BBC articles in `shared/corpus/bbc`: one
//! line in the whole set recurs within its article (a fixture list), so the
//! rule costs almost nothing in real content. Memory is one `u64 → u32`
//! entry per distinct candidate line of the current window, plus a capped
//! set of keys already known to repeat in this document, so a notice that
//! recurs across window boundaries of a huge input still goes.

use crate::config::RepeatOptions;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are already uniform hashes; hashing them again is wasted work.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hash-map builder for line keys.
pub type KeyBuild = BuildHasherDefault<KeyHasher>;

/// How many known-repeated keys one document keeps across windows.
const KNOWN_CAP: usize = 1 << 16;

/// Counts candidate lines of one document.
#[derive(Debug, Default)]
pub struct RepeatCounter {
    counts: HashMap<u64, u32, KeyBuild>,
    known: HashSet<u64, KeyBuild>,
}

impl RepeatCounter {
    /// Is this line short enough, and wordy enough, to be a notice?
    pub fn is_candidate(line: &str, opts: &RepeatOptions) -> bool {
        Self::is_candidate_known(line, false, opts)
    }

    /// [`is_candidate`](RepeatCounter::is_candidate) for a line known to
    /// be ASCII when `ascii` holds (from a scan the caller made anyway):
    /// its characters are its bytes, so a long line is turned down without
    /// counting them.
    #[inline]
    pub fn is_candidate_known(line: &str, ascii: bool, opts: &RepeatOptions) -> bool {
        let bytes = line.as_bytes();
        // Characters never outnumber bytes and a character is at most four
        // bytes, so most lines are decided by their length alone.
        if bytes.len() > opts.max_chars * (if ascii { 1 } else { 4 }) {
            return false;
        }
        if bytes.len() > opts.max_chars {
            let chars = count_bytes(bytes, |b| (b as i8) >= -0x40);
            if chars > opts.max_chars {
                return false;
            }
        }
        // Lines are normalised: words are separated by exactly one space.
        let words = 1 + count_bytes(bytes, |b| b == b' ');
        words <= opts.max_words
            && (bytes.iter().any(u8::is_ascii_alphanumeric)
                || line.chars().any(char::is_alphanumeric))
    }

    /// Counts one candidate line of the current window.
    pub fn add(&mut self, key: u64) {
        *self.counts.entry(key).or_insert(0) += 1;
    }

    /// After a whole window was counted: is this key repeated?
    pub fn is_repeated(&self, key: u64, opts: &RepeatOptions) -> bool {
        self.known.contains(&key) || self.counts.get(&key).is_some_and(|&n| n >= opts.min_count)
    }

    /// Ends a window: keys repeated in it stay known for the next windows of
    /// the same document.
    pub fn end_window(&mut self, opts: &RepeatOptions) {
        for (&key, &n) in &self.counts {
            if n >= opts.min_count && self.known.len() < KNOWN_CAP {
                self.known.insert(key);
            }
        }
        self.counts.clear();
    }

    /// Starts a new document.
    pub fn reset(&mut self) {
        self.counts.clear();
        self.known.clear();
    }
}

/// Counts the bytes for which `f` holds. Blocks of 128 bytes are summed in
/// one byte each, which the compiler vectorises; a `usize` per byte does
/// not, and `memchr`'s counter pays a set-up per call that these short
/// lines never win back.
#[inline]
fn count_bytes(bytes: &[u8], f: impl Fn(u8) -> bool + Copy) -> usize {
    bytes
        .chunks(128)
        .map(|block| block.iter().fold(0u8, |n, &b| n + u8::from(f(b))) as usize)
        .sum()
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_short_lines_with_letters() {
        let o = RepeatOptions::default();
        assert!(RepeatCounter::is_candidate(
            "Please click here to do so.",
            &o
        ));
        assert!(!RepeatCounter::is_candidate("* * *", &o));
        assert!(!RepeatCounter::is_candidate("", &o));
        let long = "word ".repeat(40);
        assert!(!RepeatCounter::is_candidate(long.trim(), &o));
        let wide = "wörd".repeat(45);
        assert!(RepeatCounter::is_candidate(&wide, &o), "180 characters");
        assert!(RepeatCounter::is_candidate_known(
            "word ".repeat(20).trim(),
            true,
            &o
        ));
        assert!(!RepeatCounter::is_candidate_known(
            &"a".repeat(201),
            true,
            &o
        ));
        let wider = "wörd".repeat(51);
        assert!(!RepeatCounter::is_candidate(&wider, &o), "204 characters");
    }

    #[test]
    fn repeated_keys_are_found_and_remembered_across_windows() {
        let o = RepeatOptions::default();
        let mut r = RepeatCounter::default();
        r.add(1);
        r.add(2);
        r.add(1);
        assert!(r.is_repeated(1, &o));
        assert!(!r.is_repeated(2, &o));
        r.end_window(&o);
        assert!(r.is_repeated(1, &o), "known across windows");
        assert!(!r.is_repeated(2, &o));
        r.reset();
        assert!(!r.is_repeated(1, &o));
    }
}

//! Line keys: a 64-bit fingerprint of a line's *template*.
//!
//! Repetition inside a document and recurrence across a corpus both compare
//! lines by key, so that template variants meet: case is folded, every run
//! of digits becomes one `0`, punctuation and symbols are dropped and
//! whitespace is folded. "Updated 14:02 GMT" and "updated 09:15 gmt" share a
//! key. Keys are xxh3 hashes, stable across platforms and releases, so they
//! can be written into profiles; only the hash is kept, never the text.

use xxhash_rust::xxh3::xxh3_64;

/// Computes line keys, reusing one scratch buffer.
#[derive(Debug, Default)]
pub struct KeyMaker {
    scratch: String,
}

impl KeyMaker {
    /// A key maker with an empty scratch buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The template of `line` (as compared), for display and tests.
    pub fn template<'s>(&'s mut self, line: &str) -> &'s str {
        self.scratch.clear();
        let mut in_digits = false;
        let mut pending_space = false;
        for c in line.chars() {
            if c.is_numeric() {
                if !in_digits {
                    self.push_space(&mut pending_space);
                    self.scratch.push('0');
                }
                in_digits = true;
                continue;
            }
            if c.is_alphabetic() {
                in_digits = false;
                self.push_space(&mut pending_space);
                if c.is_ascii() {
                    self.scratch.push(c.to_ascii_lowercase());
                } else {
                    self.scratch.extend(c.to_lowercase());
                }
            } else if c.is_whitespace() {
                in_digits = false;
                pending_space = true;
            }
            // Punctuation and symbols are dropped ("Read more:" meets "Read
            // more") and do not end a number ("14:02" and "3,000" are one).
        }
        &self.scratch
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_variants_meet() {
        let mut k = KeyMaker::new();
        assert_eq!(
            k.template("Updated 14:02 GMT, 3 March 2024"),
            "updated 0 gmt 0 march 0"
        );
        assert_eq!(k.key("Updated 14:02 GMT"), k.key("updated  09:15 gmt"));
        assert_eq!(k.key("Read more:"), k.key("READ MORE"));
        assert_ne!(k.key("Read more"), k.key("Read less"));
        assert_eq!(k.template("Café   Ünïcode"), "café ünïcode");
    }
}

//! Learning one document: turns its kept lines, in order, into profile
//! counts, in a single pass.
//!
//! Each line template is counted once per document (`docs`), flagged when it
//! sits among the first or last `edge_lines` lines, and the document is
//! added to the line's MinHash signature of documents. The document's id is
//! a hash of its kept lines in order, so the same document gets the same id
//! wherever it is learned. That is all the cleaning side needs to find runs
//! of lines that travel together (see [`super::CorpusModel::judge_lines`]),
//! and, because each document adds only its own evidence, profiles of
//! shards merge exactly.
//!
//! The counts of a document are buffered and added when it ends, so a
//! document that fails half-way adds nothing. Memory is one small entry per
//! distinct line of the current document.

use super::{DocSet, LearnOptions, ProfileBuilder};
use crate::judge::repeat::KeyBuild;
use std::collections::{HashMap, VecDeque};

const HEAD: u8 = 1;
const TAIL: u8 = 2;
/// Seed of a document id.
const EDGE: u64 = 0x9E37_79B9_7F4A_7C15;

/// Per-document learning state, reused across documents.
#[derive(Debug, Default)]
pub struct DocLearner {
    opts: LearnOptions,
    seen: HashMap<u64, u8, KeyBuild>,
    /// Running hash of the document's lines: its id.
    id: u64,
    recent: VecDeque<u64>,
    count: u32,
}

/// Words of a normalised line: space-separated tokens holding a letter.
pub fn words(line: &str) -> usize {
    words_up_to(line, usize::MAX)
}

/// Does the line hold at least `n` words? Stops counting at `n`: a prose
/// line is decided by its first dozen words, not its whole length.
pub fn has_words(line: &str, n: usize) -> bool {
    words_up_to(line, n) >= n
}

/// [`words`], counting no further than `limit`: one pass over the bytes,
/// with `char`'s Unicode tables only for non-ASCII characters.
fn words_up_to(line: &str, limit: usize) -> usize {
    let bytes = line.as_bytes();
    let (mut n, mut alpha, mut i) = (0, false, 0);
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == b' ' {
            n += usize::from(alpha);
            if n >= limit {
                return limit;
            }
            alpha = false;
        } else if b.is_ascii() {
            alpha |= b.is_ascii_alphabetic();
        } else if !alpha {
            let c = line[i - 1..]
                .chars()
                .next()
                .expect("a character starts here");
            alpha = c.is_alphabetic();
            i += c.len_utf8() - 1;
        }
    }
    (n + usize::from(alpha)).min(limit)
}

impl DocLearner {
    /// A learner with these options.
    pub fn new(opts: LearnOptions) -> Self {
        DocLearner {
            opts,
            ..Self::default()
        }
    }

    /// Starts a new document.
    pub fn start(&mut self) {
        self.seen.clear();
        self.id = EDGE;
        self.recent.clear();
        self.count = 0;
    }

    /// One kept, non-blank line of the document, by template key.
    pub fn line(&mut self, key: u64) {
        let flags = self.seen.entry(key).or_insert(0);
        if self.count < self.opts.edge_lines {
            *flags |= HEAD;
        }
        self.count = self.count.saturating_add(1);
        if self.opts.edge_lines > 0 {
            if self.recent.len() == self.opts.edge_lines as usize {
                self.recent.pop_front();
            }
            self.recent.push_back(key);
        }
        self.id = xxhash_rust::xxh3::xxh3_64_with_seed(&key.to_le_bytes(), self.id);
    }

    /// Ends the document and adds its counts to `builder`.
    pub fn finish(&mut self, builder: &mut ProfileBuilder) {
        let values = DocSet::values_of(self.id);
        for k in self.recent.drain(..) {
            if let Some(f) = self.seen.get_mut(&k) {
                *f |= TAIL;
            }
        }
        for (k, flags) in self.seen.drain() {
            let e = builder.entry(k);
            e.docs = e.docs.saturating_add(1);
            e.head = e.head.saturating_add(u32::from(flags & HEAD != 0));
            e.tail = e.tail.saturating_add(u32::from(flags & TAIL != 0));
            e.docset.insert(&values);
        }
        builder.docs += 1;
        self.start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_tokens_with_a_letter() {
        for (line, n) in [
            ("", 0),
            ("Read more", 2),
            ("3,803 comments", 1),
            (" double  space ", 2),
            ("a1 22 b", 2),
            ("café 12 ünïcode", 2),
            ("— 2025 —", 0),
        ] {
            assert_eq!(words(line), n, "{line:?}");
            let by_tokens = line
                .split(' ')
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count();
            assert_eq!(words(line), by_tokens, "{line:?}");
            for k in 0..=n + 1 {
                assert_eq!(has_words(line, k), n >= k, "{line:?} {k}");
            }
        }
    }

    proptest::proptest! {
        /// The one-pass count is the definition, on lines mixing ASCII
        /// and non-ASCII letters, digits, symbols and spaces.
        #[test]
        fn word_count_equals_definition(
            line in "[a1 .é£ß—٣ ]{0,40}",
            limit in 0usize..8,
        ) {
            let tokens = line.split(' ').filter(|w| w.chars().any(char::is_alphabetic));
            proptest::prop_assert_eq!(words_up_to(&line, limit), tokens.take(limit).count());
        }
    }

    fn learn(docs: &[Vec<u64>]) -> crate::profile::Profile {
        let mut l = DocLearner::new(LearnOptions {
            edge_lines: 2,
            prose_words: 12,
        });
        let mut b = ProfileBuilder::new();
        for doc in docs {
            l.start();
            for &k in doc {
                l.line(k);
            }
            l.finish(&mut b);
        }
        b.finish(0)
    }

    #[test]
    fn counts_docs_once_and_flags_edges() {
        let p = learn(&[vec![1, 10, 1, 11, 2], vec![1, 12, 13, 14, 2]]);
        let one = p.get(1).unwrap();
        assert_eq!((one.docs, one.head), (2, 2));
        let two = p.get(2).unwrap();
        assert_eq!((two.docs, two.tail), (2, 2));
        assert_eq!(p.get(13).unwrap().head + p.get(13).unwrap().tail, 0);
        assert_eq!(p.docs, 2);
    }

    #[test]
    fn lines_of_the_same_documents_share_a_signature() {
        // 50..52 are in documents 0..10; 7 is in every document.
        let mut docs: Vec<Vec<u64>> = (0..10).map(|d| vec![7, 100 + d, 50, 51, 52]).collect();
        docs.extend((10..40).map(|d| vec![7, 100 + d]));
        let p = learn(&docs);
        let (a, b, c) = (p.get(50).unwrap(), p.get(52).unwrap(), p.get(7).unwrap());
        assert_eq!(
            a.docset.agreement(&b.docset),
            super::super::sketch::MINHASHES
        );
        assert!(a.docset.agreement(&c.docset) <= 3);
    }
}

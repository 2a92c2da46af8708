//! Document streams: one big text whose documents are separated by lines
//! matching `--doc-separator` (a form feed `^\f$`, `head`'s `^==> .* <==$`,
//! a `^---$` rule).
//!
//! Why: a concatenated dump cleaned as one document gets repetition wrong
//! both ways: a notice repeated once per article looks like in-document
//! repetition across the whole stream only because articles were glued
//! together, and per-document statistics and corpus learning see a single
//! document. Cutting at separator lines restores the documents.
//!
//! Separator lines are written exactly as they were read; the text between
//! two separators (and before the first, and after the last) is cleaned as
//! its own document. The separator is matched against each raw line
//! without its line ending, as bytes, so it works for UTF-8 and any
//! ASCII-compatible encoding (not UTF-16). Documents are numbered from 1
//! in `--explain` (`FILE:DOC:LINE`); empty stretches are not documents.
//! A document is held whole in memory while it is cleaned.

use super::{Chunk, Docs, Format, FormatOptions, Record, read_line, trim_eol};
use crate::error::Result;
use regex::bytes::Regex;
use std::io::BufRead;

/// The document-stream format.
pub struct Stream<'a> {
    separator: &'a Regex,
}

impl<'a> Stream<'a> {
    /// A stream cut by `opts.doc_separator`.
    ///
    /// # Panics
    /// When no separator is set.
    pub fn new(opts: &'a FormatOptions) -> Self {
        Stream {
            separator: opts.doc_separator.as_ref().expect("a document separator"),
        }
    }
}

impl Format for Stream<'_> {
    fn fill(
        &self,
        input: &mut dyn BufRead,
        number: &mut u64,
        chunk: &mut Chunk,
        target: usize,
        max_record: usize,
    ) -> Result<()> {
        let mut doc_start = chunk.data.len();
        let mut offset = 0u64;
        loop {
            let line_start = chunk.data.len();
            let n = read_line(input, &mut chunk.data, max_record, offset)?;
            offset += n as u64;
            if n == 0 {
                break;
            }
            if !self.separator.is_match(trim_eol(&chunk.data[line_start..])) {
                continue;
            }
            if line_start > doc_start {
                chunk.push_document(line_start, number);
            }
            chunk.records.push(Record {
                end: chunk.data.len(),
                number: 0,
                document: false,
            });
            doc_start = chunk.data.len();
            if chunk.data.len() >= target {
                return Ok(());
            }
        }
        if chunk.data.len() > doc_start {
            chunk.push_document(chunk.data.len(), number);
        }
        Ok(())
    }

    fn process(&self, chunk: &Chunk, docs: &mut Docs<'_>, out: &mut Vec<u8>) {
        let mut cleaned = Vec::new();
        let cleaning = docs.cleaning();
        for (rec, bytes) in chunk.iter() {
            if !rec.document {
                if cleaning {
                    out.extend_from_slice(bytes);
                }
                continue;
            }
            let ok = docs.document(rec.number, bytes, &mut cleaned).is_some();
            if cleaning {
                out.extend_from_slice(if ok { &cleaned } else { bytes });
            }
        }
    }
}

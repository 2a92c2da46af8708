//! Common Crawl WET: WARC records whose `conversion` bodies are documents.
//!
//! A WET file is a WARC file (`WARC/1.0` header block, a blank line,
//! `Content-Length` bytes of body, two CRLFs) whose first record is
//! `warcinfo` and whose other records are `WARC-Type: conversion`, the
//! extracted text of one page each. Why a format of its own: cleaning the
//! file as text would strip the headers as boilerplate (they repeat in
//! every record) and break every Content-Length.
//!
//! Each `conversion` body is cleaned as one document. Its header block is
//! copied line by line with only `Content-Length` rewritten to the cleaned
//! size; `WARC-Block-Digest` is dropped when the body changed, because a
//! stale digest would make WARC validators reject the record (the field is
//! optional in WARC 1.0/1.1; recomputing it would need a SHA-1 crate for a
//! value few consumers check). Every other record (`warcinfo`, `request`,
//! `response`, `metadata`, ...) and the blank lines after each record pass
//! through byte for byte. `--drop-empty` drops conversion records whose
//! body became empty.
//!
//! A file that is not WARC, or whose last record is cut short, fails with
//! the record number and byte offset; records before it are written.

use super::{Chunk, Docs, Format, FormatOptions, read_line, trim_eol};
use crate::error::{Error, Result};
use std::io::{BufRead, Read};

/// Longest header block accepted.
const MAX_HEADER: usize = 1 << 20;

/// The WET format.
pub struct Wet<'a> {
    opts: &'a FormatOptions,
}

impl<'a> Wet<'a> {
    /// WET with these options.
    pub fn new(opts: &'a FormatOptions) -> Self {
        Wet { opts }
    }
}

/// A parsed header block.
struct Header<'a> {
    /// The header lines, each with its line ending, without the blank line.
    lines: &'a [u8],
    /// Offset of the body in the record.
    body: usize,
    length: usize,
    conversion: bool,
}

/// The value of header `name` (case-insensitive) in one header line.
fn value<'a>(line: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let colon = memchr::memchr(b':', line)?;
    if !line[..colon]
        .trim_ascii()
        .eq_ignore_ascii_case(name.as_bytes())
    {
        return None;
    }
    Some(trim_eol(&line[colon + 1..]).trim_ascii())
}

fn parse_header(record: &[u8]) -> Option<Header<'_>> {
    let mut pos = 0;
    let mut length = None;
    let mut conversion = false;
    while pos < record.len() {
        let end = memchr::memchr(b'\n', &record[pos..]).map_or(record.len(), |i| pos + i + 1);
        let line = &record[pos..end];
        if trim_eol(line).is_empty() {
            return Some(Header {
                lines: &record[..pos],
                body: end,
                length: length?,
                conversion,
            });
        }
        if let Some(v) = value(line, "Content-Length") {
            length = std::str::from_utf8(v).ok()?.parse().ok();
        } else if let Some(v) = value(line, "WARC-Type") {
            conversion = v == b"conversion";
        }
        pos = end;
    }
    None
}

impl Format for Wet<'_> {
    fn fill(
        &self,
        input: &mut dyn BufRead,
        number: &mut u64,
        chunk: &mut Chunk,
        target: usize,
        max_record: usize,
    ) -> Result<()> {
        while chunk.data.len() < target {
            let start = chunk.data.len();
            let n = read_line(input, &mut chunk.data, MAX_HEADER, *number)?;
            if n == 0 {
                break;
            }
            if !chunk.data[start..].starts_with(b"WARC/") {
                return Err(Error::Input {
                    message: format!(
                        "record {}: not a WARC record (expected a 'WARC/1.0' line)",
                        *number
                    ),
                });
            }
            loop {
                let at = chunk.data.len();
                let n = read_line(input, &mut chunk.data, MAX_HEADER, *number)?;
                if n == 0 {
                    return Err(truncated(*number, "the header block"));
                }
                if chunk.data.len() - start > MAX_HEADER {
                    return Err(Error::Input {
                        message: format!("record {}: header block too long", *number),
                    });
                }
                if trim_eol(&chunk.data[at..]).is_empty() {
                    break;
                }
            }
            let length = parse_header(&chunk.data[start..])
                .map(|h| h.length)
                .ok_or_else(|| Error::Input {
                    message: format!("record {}: no valid Content-Length header", *number),
                })?;
            if length > max_record {
                return Err(Error::Input {
                    message: format!(
                        "record {}: body of {length} bytes is longer than {max_record} (raise --max-line)",
                        *number
                    ),
                });
            }
            let got = input.take(length as u64).read_to_end(&mut chunk.data)?;
            if got < length {
                return Err(truncated(*number, "its body"));
            }
            // The blank lines that end the record belong to it.
            loop {
                let avail = input.fill_buf()?;
                let take = if avail.starts_with(b"\r\n") {
                    2
                } else if avail.starts_with(b"\n") || avail == b"\r" {
                    1
                } else {
                    0
                };
                if take == 0 {
                    break;
                }
                chunk.data.extend_from_slice(&avail[..take]);
                input.consume(take);
            }
            chunk.push_document(chunk.data.len(), number);
        }
        Ok(())
    }

    fn process(&self, chunk: &Chunk, docs: &mut Docs<'_>, out: &mut Vec<u8>) {
        let mut cleaned = Vec::new();
        let cleaning = docs.cleaning();
        for (rec, bytes) in chunk.iter() {
            let header = parse_header(bytes).expect("fill checked the header");
            if !header.conversion {
                docs.stats.records_passed += 1;
                if cleaning {
                    out.extend_from_slice(bytes);
                }
                continue;
            }
            let body = &bytes[header.body..header.body + header.length];
            let trailer = &bytes[header.body + header.length..];
            if docs.document(rec.number, body, &mut cleaned).is_none() || !cleaning {
                if cleaning {
                    out.extend_from_slice(bytes);
                }
                continue;
            }
            if self.opts.drop_empty && cleaned.is_empty() {
                docs.stats.records_dropped += 1;
                continue;
            }
            let changed = cleaned != body;
            let mut pos = 0;
            let lines = header.lines;
            while pos < lines.len() {
                let end = memchr::memchr(b'\n', &lines[pos..]).map_or(lines.len(), |i| pos + i + 1);
                let line = &lines[pos..end];
                pos = end;
                if value(line, "Content-Length").is_some() {
                    let colon = memchr::memchr(b':', line).expect("header line");
                    out.extend_from_slice(&line[..colon]);
                    out.extend_from_slice(format!(": {}", cleaned.len()).as_bytes());
                    out.extend_from_slice(&line[trim_eol(line).len()..]);
                } else if changed && value(line, "WARC-Block-Digest").is_some() {
                    continue;
                } else {
                    out.extend_from_slice(line);
                }
            }
            out.extend_from_slice(&bytes[header.lines.len()..header.body]);
            out.extend_from_slice(&cleaned);
            out.extend_from_slice(trailer);
        }
    }
}

fn truncated(number: u64, what: &str) -> Error {
    Error::Input {
        message: format!("record {number}: the file ends inside {what} (truncated WARC record)"),
    }
}

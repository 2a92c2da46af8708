//! JSON Lines: one record per line; one string field of each is a document.
//!
//! Why splice instead of re-serialise: a dump's other fields (ids, URLs,
//! nested metadata, numbers with their exact digits, unicode escapes) must
//! come out exactly as they went in. Parsing into a `serde_json::Value` and
//! writing it back would keep key order (with `preserve_order`) but still
//! rewrite numbers (`1.0e3` → `1000.0`), escapes (`\u00e9` → `é`) and
//! whitespace. So serde_json only *validates* the line and *locates* the
//! field: [`locate`] deserialises the line as a borrowed
//! [`serde_json::value::RawValue`] (full syntax and UTF-8
//! check), walks the dotted `--field` path through nested objects, and
//! returns the byte range of the value in the original line. The cleaned
//! string is spliced into that range; every other byte of the line,
//! including its line ending, is copied unchanged. The cleaned string is
//! written with minimal JSON escaping, and with `\uXXXX` escapes for all
//! non-ASCII text when the original string was written that way (Python's
//! `ensure_ascii`), so an ASCII-only file stays ASCII-only. A field text
//! that did not end with a newline does not get one.
//!
//! Cost: each line is parsed twice by serde_json (once to validate, once
//! per path segment to find the key), which measured small next to
//! cleaning; see `benches/formats/run.sh`.
//!
//! Records pass through unchanged, counted in `records_passed`, when the
//! field is missing or is not a string; blank lines pass through
//! uncounted. A malformed line is reported as `FILE:LINE` and handled by
//! `--on-error`. With a duplicate key, the first occurrence is cleaned.

use super::{Chunk, Docs, Format, FormatOptions, read_line, trim_eol};
use crate::error::Result;
use crate::stats::Stats;
use serde::Serialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::ops::Range;

/// The JSON Lines format.
pub struct Jsonl<'a> {
    opts: &'a FormatOptions,
}

impl<'a> Jsonl<'a> {
    /// JSON Lines with these options.
    pub fn new(opts: &'a FormatOptions) -> Self {
        Jsonl { opts }
    }
}

/// Per-record statistics written under `--meta-key`, with the same names
/// as `--stats=json`.
#[derive(Serialize)]
struct Meta<'a> {
    lines_in: u64,
    lines_kept: u64,
    lines_removed: &'a BTreeMap<String, u64>,
    spans_removed: &'a BTreeMap<String, u64>,
}

impl Format for Jsonl<'_> {
    fn fill(
        &self,
        input: &mut dyn BufRead,
        number: &mut u64,
        chunk: &mut Chunk,
        target: usize,
        max_record: usize,
    ) -> Result<()> {
        while chunk.data.len() < target {
            let n = read_line(input, &mut chunk.data, max_record, *number)?;
            if n == 0 {
                break;
            }
            chunk.push_document(chunk.data.len(), number);
        }
        Ok(())
    }

    fn process(&self, chunk: &Chunk, docs: &mut Docs<'_>, out: &mut Vec<u8>) {
        let path: Vec<&str> = self.opts.field.iter().map(String::as_str).collect();
        let mut cleaned = Vec::new();
        for (rec, line) in chunk.iter() {
            if line.iter().all(u8::is_ascii_whitespace) {
                out.extend_from_slice(line);
                continue;
            }
            let (top, field) = match locate(trim_eol(line), &path) {
                Ok(found) => found,
                Err(e) => {
                    if docs.malformed(rec.number, &format!("malformed JSON ({e})")) {
                        out.extend_from_slice(line);
                    }
                    continue;
                }
            };
            let Some(field) = field.filter(|r| line[r.start] == b'"') else {
                docs.stats.records_passed += 1;
                if docs.cleaning() {
                    out.extend_from_slice(line);
                }
                continue;
            };
            let raw = &line[field.clone()];
            let escaped = memchr::memchr(b'\\', raw).is_some();
            let text: String;
            let body: &[u8] = if escaped {
                text = serde_json::from_slice(raw).expect("validated string");
                text.as_bytes()
            } else {
                &raw[1..raw.len() - 1]
            };
            let Some(stats) = docs.document(rec.number, body, &mut cleaned) else {
                if docs.cleaning() {
                    out.extend_from_slice(line);
                }
                continue;
            };
            if !docs.cleaning() {
                continue;
            }
            if !body.ends_with(b"\n") && cleaned.last() == Some(&b'\n') {
                cleaned.pop();
            }
            if self.opts.drop_empty && cleaned.is_empty() {
                docs.stats.records_dropped += 1;
                continue;
            }
            let ascii = escaped && raw.is_ascii() && memchr::memmem::find(raw, b"\\u").is_some();
            let cleaned = std::str::from_utf8(&cleaned).expect("cleaner writes UTF-8");
            let mut new_field = Vec::with_capacity(cleaned.len() + 2);
            write_string(&mut new_field, cleaned, ascii);
            let mut edits = vec![(field, new_field)];
            if let Some(key) = &self.opts.meta_key {
                edits.push(meta_edit(line, top.clone(), key, &stats));
                edits.sort_by_key(|(r, _)| r.start);
            }
            let mut at = 0;
            for (range, bytes) in &edits {
                out.extend_from_slice(&line[at..range.start]);
                out.extend_from_slice(bytes);
                at = range.end;
            }
            out.extend_from_slice(&line[at..]);
        }
    }
}

/// The edit that puts `stats` under `key`: replaces the value of an
/// existing top-level `key`, or inserts the key before the closing brace.
fn meta_edit(line: &[u8], top: Range<usize>, key: &str, stats: &Stats) -> (Range<usize>, Vec<u8>) {
    let meta = serde_json::to_vec(&Meta {
        lines_in: stats.lines_in,
        lines_kept: stats.lines_kept,
        lines_removed: &stats.lines_removed,
        spans_removed: &stats.spans_removed,
    })
    .expect("meta serialises");
    if let Ok((_, Some(existing))) = locate(line, &[key]) {
        return (existing, meta);
    }
    let close = top.end - 1;
    let mut bytes = Vec::with_capacity(meta.len() + key.len() + 4);
    bytes.push(b',');
    write_string(&mut bytes, key, false);
    bytes.push(b':');
    bytes.extend_from_slice(&meta);
    (close..close, bytes)
}

/// Validates `line` as one JSON value and finds the value at the dotted
/// `path`: returns the byte range of the whole top-level value and, if the
/// path leads through objects to a value, that value's byte range.
pub fn locate(
    line: &[u8],
    path: &[&str],
) -> std::result::Result<(Range<usize>, Option<Range<usize>>), serde_json::Error> {
    let top: &RawValue = serde_json::from_slice(line)?;
    let range = |raw: &RawValue| {
        let start = raw.get().as_ptr() as usize - line.as_ptr() as usize;
        start..start + raw.get().len()
    };
    let mut current = top;
    for seg in path {
        if !current.get().starts_with('{') {
            return Ok((range(top), None));
        }
        let mut de = serde_json::Deserializer::from_str(current.get());
        match Field(seg).deserialize(&mut de)? {
            Some(v) => current = v,
            None => return Ok((range(top), None)),
        }
    }
    Ok((range(top), Some(range(current))))
}

/// Finds one key of an object, skipping (but validating) the others.
struct Field<'s>(&'s str);

impl<'de> DeserializeSeed<'de> for Field<'_> {
    type Value = Option<&'de RawValue>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Field<'_> {
    type Value = Option<&'de RawValue>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(hit) = map.next_key_seed(KeyIs(self.0))? {
            if hit && found.is_none() {
                found = Some(map.next_value::<&RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Compares a key with the wanted name without allocating.
struct KeyIs<'s>(&'s str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<bool, E> {
        Ok(v == self.0)
    }
}

/// Writes `s` as a JSON string: `"`, `\` and control characters escaped;
/// with `ascii`, every non-ASCII character as `\uXXXX` (surrogate pairs
/// above U+FFFF).
pub fn write_string(out: &mut Vec<u8>, s: &str, ascii: bool) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            '\u{8}' => Some(b"\\b"),
            '\u{c}' => Some(b"\\f"),
            c if (c as u32) < 0x20 || (ascii && !c.is_ascii()) => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + c.len_utf8();
        match esc {
            Some(e) => out.extend_from_slice(e),
            None => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                }
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_fields_by_bytes() {
        let line = br#" {"id": 1, "doc": {"text": "a\"b", "n": [1, {"text": 2}]}, "text": "top"}"#;
        let (top, f) = locate(line, &["doc", "text"]).unwrap();
        assert_eq!(top.start, 1);
        assert_eq!(&line[f.unwrap()], br#""a\"b""#);
        let (_, f) = locate(line, &["text"]).unwrap();
        assert_eq!(&line[f.unwrap()], br#""top""#);
        assert_eq!(locate(line, &["id", "x"]).unwrap().1, None);
        assert_eq!(locate(line, &["missing"]).unwrap().1, None);
        assert!(locate(br#"{"text": "a"#, &["text"]).is_err());
        assert!(locate(br#"{"text": "a"} x"#, &["text"]).is_err());
    }

    #[test]
    fn strings_escape_like_json() {
        let mut out = Vec::new();
        write_string(&mut out, "a\"\\\n\u{1}é😀", false);
        assert_eq!(out, "\"a\\\"\\\\\\n\\u0001é😀\"".as_bytes());
        out.clear();
        write_string(&mut out, "é😀", true);
        assert_eq!(out, b"\"\\u00e9\\ud83d\\ude00\"");
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "é😀");
    }
}

//! Decode: any input bytes in, valid UTF-8 out, as a streaming `io::Read`.
//!
//! # Why
//!
//! Scraped dumps arrive in every charset the web ever used, often unlabelled,
//! and every later stage of decruft works on `&str`. This stage picks the
//! charset once per input from a bounded prefix and then transcodes the stream
//! with `encoding_rs`, so the rest of the pipeline reads plain UTF-8 through an
//! ordinary [`Read`] (the design of BurntSushi's `encoding_rs_io`).
//!
//! # How the encoding is chosen
//!
//! [`DecodingReader::new`] reads a prefix of up to [`PREFIX_LEN`] bytes (64 KiB)
//! into its own buffer, where it stays to be decoded: no byte is lost. Then,
//! first match wins ([`EncodingSource`] records which):
//!
//! 1. `forced` in [`DecodeOptions`] (a BOM of that same encoding is dropped);
//! 2. a byte-order mark: UTF-8, UTF-16LE, UTF-16BE;
//! 3. BOM-less UTF-16, from its pattern: in the first 4 KiB, at least 30 % of
//!    the odd (LE) or even (BE) bytes are zero and under 10 % of the others;
//! 4. the prefix is valid UTF-8 with some non-ASCII (a character cut at the
//!    prefix end is allowed), or *mostly* valid UTF-8: at least
//!    [`MOSTLY_UTF8_RATIO`] valid multi-byte characters per malformed
//!    sequence (a UTF-8 file with a stray byte or cut off mid-character,
//!    which no legacy encoding reads better): UTF-8, the malformed bytes
//!    then count as replacements or, with `strict`, fail;
//! 5. a charset declaration in the first 4 KiB (`<meta charset=...>`,
//!    `content="text/html; charset=..."`, `<?xml encoding="..."?>`,
//!    `Content-Type: ...; charset=...`, `-*- coding: ... -*-`), honoured only
//!    when the label is known, the encoding is ASCII-compatible (a UTF-16
//!    declaration in ASCII bytes is a lie) and the prefix decodes with it
//!    without a single error;
//! 6. a pure-ASCII prefix without an ESC byte: UTF-8 (nothing to detect);
//! 7. otherwise `chardetng` on the prefix (fed only the stretches of words
//!    that hold non-ASCII bytes, which gives the same guess faster), with
//!    the `tld` hint if given (ISO-2022-JP allowed: text corpora run no
//!    scripts); when it picks a single-byte Latin encoding other than
//!    windows-1252 (ISO-8859-2, windows-1250...), windows-1252 replaces it
//!    if the high bytes read more plausibly so: symbols standing alone
//!    between spaces and digits (`£825`, `© 2025`, `news » Sport`) rather
//!    than letters inside words (see `windows_1252_more_plausible`).
//!
//! # Streaming and memory
//!
//! The reader owns two fixed buffers: the input buffer (the prefix size) and,
//! for non-UTF-8 input, an output buffer of the same size. It never holds the
//! whole input. Decoder state lives in an `encoding_rs::Decoder`, so a
//! multi-byte character split between two reads, or between the prefix and
//! the next read, decodes correctly; the tests force this with 1-byte reads
//! and 4-byte buffers.
//!
//! UTF-8 input (the common case) skips `encoding_rs` altogether: bytes are
//! checked with `std::str::from_utf8`, each byte once, and copied from the
//! input buffer straight into the caller's buffer. Only a malformed sequence
//! costs more: it becomes U+FFFD, counted in [`DecodeReport::replacements`].
//!
//! # What it never does
//!
//! It never emits invalid UTF-8, never a BOM, and never changes valid UTF-8 or
//! ASCII input. With `strict`, it replaces nothing: the first malformed
//! sequence is an `InvalidData` error naming the encoding and the absolute byte
//! offset ("malformed UTF-8 at byte offset 1234"). It does not do UTF-32,
//! which `encoding_rs` lacks (such input decodes as whatever the rules above
//! pick, usually UTF-16 or UTF-8 with NULs).
//!
//! # Trade-offs
//!
//! The charset is chosen once, from the prefix: a file that is ASCII for its
//! first 64 KiB and windows-1252 after is decoded as UTF-8 with replacements
//! (counted, so the caller can see it). On chardet's test files
//! (`tests/eval_charsets.rs`) the choice gives the same text as the true
//! charset for 393 of the 395 files in encodings `encoding_rs` has (99.5 %);
//! the misses are an undeclared MacCyrillic and an undeclared MacRoman file
//! (chardetng never guesses those). With their declarations hidden, 52 of
//! the 56 files in single-byte Latin encodings still decode right (the
//! misses are Hungarian pages chardetng reads as windows-1252: their only
//! non-ASCII letters, such as ő against õ, are letters in both).
//!
//! `cargo bench --bench decode` (criterion, 20 MB in memory, default
//! options, 64 KiB reads, this 2-core machine with nothing else running)
//! measures UTF-8 pass-through at about 9.9 GiB/s, UTF-16LE at 3.3 GiB/s,
//! windows-1252 at 1.4 GiB/s and Shift_JIS at 490 MiB/s of input; a busy
//! machine halves these.

use std::io::{self, Read};

use encoding_rs::{DecoderResult, Encoding, UTF_8, WINDOWS_1252};

/// Size of the prefix used to choose the encoding, and of the input buffer.
pub const PREFIX_LEN: usize = 64 * 1024;

/// How much of the prefix is searched for a declaration or a UTF-16 pattern.
const SNIFF_LEN: usize = 4096;

/// How the encoding of an input was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark.
    Bom,
    /// The prefix is valid UTF-8 (or pure ASCII).
    Utf8,
    /// BOM-less UTF-16, recognised by its zero bytes.
    Utf16Pattern,
    /// A charset declaration in the prefix.
    Declared,
    /// Statistical detection (chardetng).
    Detected,
    /// The caller's `forced` encoding.
    Forced,
}

impl EncodingSource {
    /// Stable name for reports and `--explain`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EncodingSource::Bom => "bom",
            EncodingSource::Utf8 => "utf-8",
            EncodingSource::Utf16Pattern => "utf16-pattern",
            EncodingSource::Declared => "declared",
            EncodingSource::Detected => "detected",
            EncodingSource::Forced => "forced",
        }
    }
}

/// How to choose the encoding and what to do with malformed input.
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// Use this encoding, whatever the input looks like.
    pub forced: Option<&'static Encoding>,
    /// Top-level domain the input came from (e.g. `"jp"`), a hint for detection.
    pub tld: Option<String>,
    /// Fail on the first malformed sequence instead of writing U+FFFD.
    pub strict: bool,
}

/// What the decoder chose and how much it had to replace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeReport {
    /// The encoding the input is decoded from.
    pub encoding: &'static Encoding,
    /// Why that encoding was chosen.
    pub source: EncodingSource,
    /// Malformed sequences replaced by U+FFFD so far; final after EOF.
    pub replacements: u64,
}

/// How bytes become UTF-8.
enum Mode {
    /// Validate and pass through.
    Utf8,
    /// Transcode with encoding_rs.
    Decoder(Box<encoding_rs::Decoder>),
}

/// An `io::Read` that yields the UTF-8 decoding of `inner`, BOM removed.
pub struct DecodingReader<R: Read> {
    inner: R,
    /// Input buffer; bytes `pos..end` are read but not yet decoded.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// UTF-8 mode: `pos..valid_end` is known valid and can be copied out.
    valid_end: usize,
    /// Absolute input offset of `buf[0]`, for error messages.
    base: u64,
    eof: bool,
    mode: Mode,
    /// Decoded bytes (or a U+FFFD) waiting for the caller: `out_pos..out.len()`.
    out: Vec<u8>,
    out_pos: usize,
    out_cap: usize,
    /// Decoder mode: the decoder has been flushed with `last = true`.
    finished: bool,
    strict: bool,
    report: DecodeReport,
}

impl<R: Read> DecodingReader<R> {
    /// Peeks a bounded prefix (e.g. up to 64 KiB) to choose the encoding, without losing those bytes.
    pub fn new(inner: R, opts: &DecodeOptions) -> io::Result<Self> {
        Self::with_capacity(inner, opts, PREFIX_LEN)
    }

    /// Like [`DecodingReader::new`] with a prefix and buffer size of
    /// `capacity` bytes (at least 4), for tests and memory tuning.
    pub fn with_capacity(mut inner: R, opts: &DecodeOptions, capacity: usize) -> io::Result<Self> {
        let capacity = capacity.max(4);
        let mut buf = vec![0; capacity];
        let mut end = 0;
        let mut eof = false;
        while end < capacity {
            match inner.read(&mut buf[end..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let (encoding, source, bom_len) = choose_encoding(&buf[..end], eof, opts);
        let mode = if encoding == UTF_8 {
            Mode::Utf8
        } else {
            Mode::Decoder(Box::new(encoding.new_decoder_without_bom_handling()))
        };
        Ok(DecodingReader {
            inner,
            buf,
            pos: bom_len,
            end,
            valid_end: bom_len,
            base: 0,
            eof,
            mode,
            out: Vec::new(),
            out_pos: 0,
            out_cap: capacity.max(16),
            finished: false,
            strict: opts.strict,
            report: DecodeReport {
                encoding,
                source,
                replacements: 0,
            },
        })
    }

    /// Replacements counted so far; final after EOF.
    pub fn report(&self) -> DecodeReport {
        self.report
    }

    /// Moves unread input to the front and reads more; sets `eof` on 0.
    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.valid_end = self.valid_end.saturating_sub(self.pos);
            self.pos = 0;
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Records one malformed sequence at absolute `offset`: an error when
    /// strict, otherwise a U+FFFD queued for output.
    fn malformed(&mut self, offset: u64) -> io::Result<()> {
        if self.strict {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "malformed {} at byte offset {offset}",
                    self.report.encoding.name()
                ),
            ));
        }
        self.report.replacements += 1;
        self.out.extend_from_slice("\u{fffd}".as_bytes());
        Ok(())
    }

    /// Copies queued output into `dst`.
    fn drain_out(&mut self, dst: &mut [u8]) -> usize {
        let n = dst.len().min(self.out.len() - self.out_pos);
        dst[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
        n
    }

    fn read_utf8(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                return Ok(self.drain_out(dst));
            }
            if self.pos < self.valid_end {
                let n = dst.len().min(self.valid_end - self.pos);
                dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.pos == self.end {
                if self.eof {
                    return Ok(0);
                }
                if dst.len() >= DIRECT_MIN {
                    let n = self.read_direct(dst)?;
                    if n > 0 || self.eof {
                        return Ok(n);
                    }
                    continue;
                }
                self.fill()?;
                continue;
            }
            match simdutf8::compat::from_utf8(&self.buf[self.pos..self.end]) {
                Ok(_) => self.valid_end = self.end,
                Err(e) if e.valid_up_to() > 0 => self.valid_end = self.pos + e.valid_up_to(),
                Err(e) => match e.error_len() {
                    Some(bad) => {
                        self.malformed(self.base + self.pos as u64)?;
                        self.pos += bad;
                        self.valid_end = self.pos;
                    }
                    // A character cut by the buffer end: read on, unless
                    // the input ends here.
                    None if self.eof => {
                        self.malformed(self.base + self.pos as u64)?;
                        self.pos = self.end;
                        self.valid_end = self.pos;
                    }
                    None => self.fill()?,
                },
            }
        }
    }

    /// With nothing buffered, reads straight into the caller's buffer and
    /// validates it there, saving a copy of every byte of UTF-8 input.
    /// Whatever is not known good (a character cut at the end of the read,
    /// a malformed sequence) moves to the buffer for the slow path; returns
    /// the bytes left in `dst`, which may be none.
    fn read_direct(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        self.base += self.end as u64;
        (self.pos, self.end, self.valid_end) = (0, 0, 0);
        let n = loop {
            match self.inner.read(dst) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(0);
        }
        let valid = match simdutf8::compat::from_utf8(&dst[..n]) {
            Ok(_) => n,
            Err(e) => e.valid_up_to(),
        };
        let rest = n - valid;
        if rest > 0 {
            if self.buf.len() < rest {
                self.buf.resize(rest, 0);
            }
            self.buf[..rest].copy_from_slice(&dst[valid..n]);
            self.end = rest;
        }
        self.base += valid as u64;
        Ok(valid)
    }

    fn read_decoded(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                return Ok(self.drain_out(dst));
            }
            if self.finished {
                return Ok(0);
            }
            if self.pos == self.end && !self.eof {
                self.fill()?;
                continue;
            }
            let Mode::Decoder(decoder) = &mut self.mode else {
                unreachable!("decoder mode")
            };
            let last = self.eof;
            self.out.resize(self.out_cap, 0);
            let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                &self.buf[self.pos..self.end],
                &mut self.out,
                last,
            );
            self.out.truncate(written);
            self.pos += read;
            match result {
                DecoderResult::InputEmpty => self.finished = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, after) => {
                    let at = (self.base + self.pos as u64)
                        .saturating_sub(u64::from(bad) + u64::from(after));
                    self.malformed(at)?;
                }
            }
        }
    }
}

/// Reads at least this large go straight into the caller's buffer.
const DIRECT_MIN: usize = 16 << 10;

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        match self.mode {
            Mode::Utf8 => self.read_utf8(dst),
            Mode::Decoder(_) => self.read_decoded(dst),
        }
    }
}

/// Names outside the WHATWG list that feeds and tools still write, mapped to
/// a WHATWG label (chardet's MacCyrillic test feeds declare `MacCyrillic`).
const EXTRA_LABELS: &[(&str, &str)] = &[
    ("maccyrillic", "x-mac-cyrillic"),
    ("mac-cyrillic", "x-mac-cyrillic"),
    ("macroman", "macintosh"),
    ("mac-roman", "macintosh"),
    ("cp936", "gbk"),
    ("cp949", "euc-kr"),
    ("cp950", "big5"),
    ("cp932", "shift_jis"),
    ("ms932", "shift_jis"),
];

/// WHATWG label lookup, for `--encoding`. Also accepts the spellings
/// `latin-1`, `utf_8`, `UTF8`, `MacCyrillic`, `cp932`... that Python,
/// Emacs and old feeds use.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    if let Some(&(_, whatwg)) = EXTRA_LABELS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(label))
    {
        return Encoding::for_label(whatwg.as_bytes());
    }
    Encoding::for_label(label.as_bytes())
        .or_else(|| Encoding::for_label(label.replace('_', "-").as_bytes()))
        .or_else(|| Encoding::for_label(label.replace(['-', '_'], "").as_bytes()))
}

/// Picks the encoding for a prefix: (encoding, why, BOM bytes to skip).
fn choose_encoding(
    prefix: &[u8],
    eof: bool,
    opts: &DecodeOptions,
) -> (&'static Encoding, EncodingSource, usize) {
    let bom = Encoding::for_bom(prefix);
    if let Some(forced) = opts.forced {
        let skip = bom
            .filter(|&(enc, _)| enc == forced)
            .map_or(0, |(_, len)| len);
        return (forced, EncodingSource::Forced, skip);
    }
    if let Some((enc, len)) = bom {
        return (enc, EncodingSource::Bom, len);
    }
    if let Some(enc) = utf16_pattern(prefix) {
        return (enc, EncodingSource::Utf16Pattern, 0);
    }
    let (valid_utf8, ascii) = match std::str::from_utf8(prefix) {
        Ok(s) => (true, s.is_ascii()),
        Err(e) => (e.error_len().is_none() && !eof, false),
    };
    if (valid_utf8 && !ascii) || (!valid_utf8 && mostly_utf8(prefix, eof)) {
        return (UTF_8, EncodingSource::Utf8, 0);
    }
    if let Some(enc) = declared(prefix, eof) {
        return (enc, EncodingSource::Declared, 0);
    }
    if ascii && memchr::memchr(0x1b, prefix).is_none() {
        return (UTF_8, EncodingSource::Utf8, 0);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    for part in evidence(prefix) {
        detector.feed(part, false);
    }
    detector.feed(&[], eof);
    let tld = opts.tld.as_deref().and_then(tld_label);
    let mut enc = detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    );
    if LATIN_GUESSES.contains(&enc) && windows_1252_more_plausible(prefix, enc) {
        enc = WINDOWS_1252;
    }
    (enc, EncodingSource::Detected, 0)
}

/// The parts of `prefix` that chardetng learns from: every stretch of
/// whole words holding a non-ASCII byte, from the ASCII space before it to
/// the ASCII space after it. chardetng scores pairs of bytes of which one
/// is non-ASCII, and an ASCII space leaves each of its candidates in the
/// same state whatever came before, so leaving out the words between
/// stretches leaves its guess as it was (`tests/eval_charsets.rs` checks
/// this on every file), while it reads a few KiB of a 64 KiB prefix of
/// news with a non-ASCII byte every few hundred bytes, not all of it
/// (chardetng read a 64 KiB prefix at about 13 MB/s). Text with an ESC
/// byte (ISO-2022-JP is all ASCII) goes whole.
fn evidence(prefix: &[u8]) -> impl Iterator<Item = &[u8]> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let whole = memchr::memchr(0x1b, prefix).is_some();
    let mut at = 0;
    std::iter::from_fn(move || {
        if whole {
            let all = (at < prefix.len()).then_some(prefix);
            at = prefix.len();
            return all;
        }
        let rest = &prefix[at..];
        let first = at + rest.iter().position(|b| !b.is_ascii())?;
        let start = prefix[..first].iter().rposition(is_space).unwrap_or(0);
        // Extend over words until one ends in an ASCII space followed by a
        // word with no non-ASCII byte.
        let mut end = first;
        loop {
            match prefix[end..].iter().position(is_space) {
                None => {
                    end = prefix.len();
                    break;
                }
                Some(i) => end += i,
            }
            let next_word = &prefix[end + 1..];
            let word_len = next_word
                .iter()
                .position(is_space)
                .unwrap_or(next_word.len());
            if next_word[..word_len].is_ascii() {
                end += 1;
                break;
            }
            end += 1 + word_len;
        }
        at = end;
        Some(&prefix[start..end])
    })
}

/// Single-byte Latin encodings that chardetng may pick for windows-1252
/// text: they share ASCII and most accented letters with windows-1252 and
/// differ in a few dozen high bytes.
const LATIN_GUESSES: &[&Encoding] = &[
    encoding_rs::WINDOWS_1250,
    encoding_rs::ISO_8859_2,
    encoding_rs::WINDOWS_1257,
    encoding_rs::ISO_8859_13,
    encoding_rs::ISO_8859_4,
    encoding_rs::ISO_8859_3,
    encoding_rs::ISO_8859_10,
    encoding_rs::ISO_8859_14,
    encoding_rs::ISO_8859_15,
    encoding_rs::ISO_8859_16,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1258,
];

/// Is windows-1252 a better reading of `prefix` than chardetng's `guess`?
///
/// chardetng scores byte pairs; on mostly-ASCII English with a handful of
/// high bytes (`£825`, `© 2025`, `news » Sport`, `GAZETTE · EST.`) it can
/// prefer ISO-8859-2 or windows-1250, which read those bytes as `Ł`, `Š`,
/// `ť`, `ˇ`. The two readings are told apart by where the bytes stand. Only
/// high bytes that are a letter in one encoding and not in the other count
/// (bytes both read as letters, such as Czech `č` against `è`, say nothing,
/// and the guess stands):
///
/// - a letter reading is plausible inside a word (next to an ASCII letter or
///   another high byte, as `ł` in `była`) and implausible standing alone
///   between spaces, digits or punctuation: Central European languages have
///   no one-letter words with such letters;
/// - a symbol or punctuation reading is plausible standing alone and
///   implausible inside a word.
///
/// A byte at either end of the prefix, whose other neighbour is unknown,
/// votes only when its known neighbour puts it inside a word.
///
/// Each byte is a vote for the encoding whose reading is plausible in its
/// context; windows-1252 wins only with strictly more votes, so real Polish
/// or Czech (letters inside words) keeps its encoding.
fn windows_1252_more_plausible(prefix: &[u8], guess: &'static Encoding) -> bool {
    let high = |enc: &'static Encoding| -> [bool; 128] {
        let mut letter = [false; 128];
        for (b, slot) in (0x80u8..=0xFF).zip(letter.iter_mut()) {
            let byte = [b];
            let (text, _) = enc.decode_without_bom_handling(&byte);
            *slot = text.chars().all(char::is_alphabetic);
        }
        letter
    };
    let (guess_letter, w1252_letter) = (high(guess), high(WINDOWS_1252));
    // Neighbours beyond the prefix are unknown: a byte there votes only if
    // its known neighbour puts it inside a word.
    let wordish = |b: Option<&u8>| b.map(|&b| b.is_ascii_alphabetic() || b >= 0x80);
    let (mut for_guess, mut for_1252) = (0usize, 0usize);
    for (i, &b) in prefix.iter().enumerate() {
        if b < 0x80 {
            continue;
        }
        let g = guess_letter[usize::from(b - 0x80)];
        if g == w1252_letter[usize::from(b - 0x80)] {
            continue;
        }
        let before = wordish(i.checked_sub(1).and_then(|j| prefix.get(j)));
        let after = wordish(prefix.get(i + 1));
        let in_word = match (before, after) {
            (Some(true), _) | (_, Some(true)) => true,
            (Some(false), Some(false)) => false,
            _ => continue,
        };
        if g == in_word {
            for_guess += 1;
        } else {
            for_1252 += 1;
        }
    }
    for_1252 > for_guess
}

/// Valid multi-byte UTF-8 characters needed per malformed sequence for a
/// prefix that is not valid UTF-8 to be read as UTF-8 all the same.
///
/// Text in a legacy encoding forms a valid UTF-8 sequence only by accident
/// (windows-1252 needs an uppercase accented letter followed by a symbol,
/// `Ã©`; GBK or Shift_JIS pairs match now and then, next to many that do
/// not), so there valid sequences are rare against malformed ones. A UTF-8
/// file with one stray byte has dozens of valid characters per error; decoded
/// as windows-1252 it would come out as mojibake ("cafÃ©", "rose˙ â€“").
pub const MOSTLY_UTF8_RATIO: usize = 8;

/// Is `prefix`, which is not valid UTF-8, mostly UTF-8: at least
/// [`MOSTLY_UTF8_RATIO`] valid non-ASCII characters per malformed sequence?
/// A sequence cut by the prefix end is malformed only at `eof`.
fn mostly_utf8(prefix: &[u8], eof: bool) -> bool {
    let leads = |s: &[u8]| s.iter().filter(|&&b| b >= 0xC0).count();
    let (mut valid, mut malformed) = (0usize, 0usize);
    let mut rest = prefix;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => {
                valid += leads(rest);
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                valid += leads(good);
                match e.error_len() {
                    Some(n) => {
                        malformed += 1;
                        rest = &after[n..];
                    }
                    None => {
                        malformed += usize::from(eof);
                        break;
                    }
                }
            }
        }
    }
    malformed > 0 && valid >= MOSTLY_UTF8_RATIO * malformed
}

/// The last label of a domain or TLD, lower-cased, as chardetng wants it.
fn tld_label(tld: &str) -> Option<String> {
    let last = tld.trim().trim_end_matches('.').rsplit('.').next()?;
    (!last.is_empty() && last.is_ascii()).then(|| last.to_ascii_lowercase())
}

/// BOM-less UTF-16 from its zero bytes, in the first [`SNIFF_LEN`] bytes.
fn utf16_pattern(prefix: &[u8]) -> Option<&'static Encoding> {
    let sample = &prefix[..prefix.len().min(SNIFF_LEN) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let many = |n: usize| n * 10 >= pairs * 3;
    let few = |n: usize| n * 10 < pairs;
    if many(odd) && few(even) {
        Some(encoding_rs::UTF_16LE)
    } else if many(even) && few(odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// An explicit charset declaration near the top, if it is usable.
fn declared(prefix: &[u8], eof: bool) -> Option<&'static Encoding> {
    let head = &prefix[..prefix.len().min(SNIFF_LEN)];
    let lower = head.to_ascii_lowercase();
    let mut found = Vec::new();
    for key in [&b"charset"[..], b"coding"] {
        for at in memchr::memmem::find_iter(&lower, key) {
            found.push((at, key.len()));
        }
    }
    found.sort_unstable();
    for (at, key_len) in found {
        let Some(enc) = label_after(&head[at + key_len..]) else {
            continue;
        };
        if enc == encoding_rs::UTF_16LE
            || enc == encoding_rs::UTF_16BE
            || enc == encoding_rs::REPLACEMENT
            || enc == encoding_rs::X_USER_DEFINED
        {
            continue;
        }
        if decodes_cleanly(enc, prefix, eof) {
            return Some(enc);
        }
    }
    None
}

/// Parses `= "label"` / `: label` after a declaration keyword.
fn label_after(rest: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while rest.get(*i).is_some_and(|b| b.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    skip_space(&mut i);
    if !matches!(rest.get(i), Some(b'=' | b':')) {
        return None;
    }
    i += 1;
    skip_space(&mut i);
    while matches!(rest.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    let len = rest[i..]
        .iter()
        .take(40)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .count();
    if len == 0 {
        return None;
    }
    encoding_for_label(std::str::from_utf8(&rest[i..i + len]).ok()?)
}

/// Does `prefix` decode with `enc` without a single malformed sequence?
fn decodes_cleanly(enc: &'static Encoding, prefix: &[u8], eof: bool) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut scratch = [0u8; 4096];
    let mut src = prefix;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(src, &mut scratch, eof);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(..) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// chardetng's guess from the whole prefix and from its `evidence`.
    fn guesses(prefix: &[u8], eof: bool) -> (&'static Encoding, &'static Encoding) {
        let guess = |detector: chardetng::EncodingDetector| {
            detector.guess(None, chardetng::Utf8Detection::Allow)
        };
        let mut whole = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
        whole.feed(prefix, eof);
        let mut parts = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
        for part in evidence(prefix) {
            parts.feed(part, false);
        }
        parts.feed(&[], eof);
        (guess(whole), guess(parts))
    }

    #[test]
    fn evidence_keeps_every_non_ascii_word_and_the_spaces_around_it() {
        let text =
            "The caf\u{e9} sold cr\u{e8}me br\u{fb}l\u{e9}e at \u{a3}4 a plate.\nNothing here.";
        let bytes = WINDOWS_1252.encode(text).0;
        let parts: Vec<String> = evidence(&bytes)
            .map(|p| WINDOWS_1252.decode(p).0.into_owned())
            .collect();
        assert_eq!(
            parts,
            [" caf\u{e9} ", " cr\u{e8}me br\u{fb}l\u{e9}e ", " \u{a3}4 "]
        );
        assert_eq!(evidence(b"all ascii\n").count(), 0);
        assert_eq!(
            evidence("\u{e9}".as_bytes()).collect::<Vec<_>>(),
            ["\u{e9}".as_bytes()]
        );
        let jis = b"\x1b$B$3$s\x1b(B ascii";
        assert_eq!(evidence(jis).collect::<Vec<_>>(), [&jis[..]]);
    }

    proptest::proptest! {
        /// The parts are disjoint stretches of the prefix, in order, that
        /// hold every non-ASCII byte; each starts at the prefix start or an
        /// ASCII space and ends at the prefix end or just after one.
        #[test]
        fn evidence_is_ordered_stretches_holding_every_non_ascii_byte(
            prefix in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'\n', b'a', b'Z', 0x1b, 0xe9, 0xa3, 0x81]),
                0..200,
            )
        ) {
            let mut last_end = 0;
            let mut non_ascii = 0;
            let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
            for part in evidence(&prefix) {
                let start = part.as_ptr() as usize - prefix.as_ptr() as usize;
                let end = start + part.len();
                proptest::prop_assert!(start >= last_end && end <= prefix.len());
                proptest::prop_assert!(start == 0 || is_space(prefix[start]));
                proptest::prop_assert!(end == prefix.len() || is_space(prefix[end - 1]));
                non_ascii += part.iter().filter(|b| !b.is_ascii()).count();
                last_end = end;
            }
            proptest::prop_assert_eq!(non_ascii, prefix.iter().filter(|b| !b.is_ascii()).count());
        }
    }

    /// Feeding chardetng only the evidence must not change its guess: on
    /// every file of chardet's test set, whole and cut to prefixes of
    /// several sizes (a prefix that is not the whole file is fed as such).
    #[test]
    fn evidence_gives_chardetngs_guess_on_every_test_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/charsets");
        let mut files = 0;
        for folder in std::fs::read_dir(&root).expect("shared/eval/charsets") {
            let folder = folder.unwrap().path();
            if !folder.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&folder).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                for cut in [PREFIX_LEN, 4096, 1000] {
                    let prefix = &bytes[..bytes.len().min(cut)];
                    let (whole, parts) = guesses(prefix, prefix.len() == bytes.len());
                    assert_eq!(whole, parts, "{}, first {cut} bytes", folder.display());
                }
                files += 1;
            }
        }
        assert!(files > 400, "only {files} test files");
    }

    /// Returns at most `n` bytes per read, as a slow pipe or socket would.
    struct Trickle<'a> {
        data: &'a [u8],
        n: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.n.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Decodes `input` with the given reader settings, reading `out_n`
    /// bytes at a time.
    fn decode_with(
        input: &[u8],
        opts: &DecodeOptions,
        in_n: usize,
        cap: usize,
        out_n: usize,
    ) -> io::Result<(String, DecodeReport)> {
        let mut r = DecodingReader::with_capacity(
            Trickle {
                data: input,
                n: in_n,
            },
            opts,
            cap,
        )?;
        let mut out = Vec::new();
        let mut chunk = vec![0; out_n];
        loop {
            let n = r.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        Ok((
            String::from_utf8(out).expect("reader must yield UTF-8"),
            r.report(),
        ))
    }

    fn decode(input: &[u8]) -> (String, DecodeReport) {
        decode_with(
            input,
            &DecodeOptions::default(),
            usize::MAX,
            PREFIX_LEN,
            8192,
        )
        .unwrap()
    }

    fn enc(label: &str) -> &'static Encoding {
        Encoding::for_label(label.as_bytes()).unwrap()
    }

    #[test]
    fn source_names() {
        let all = [
            (EncodingSource::Bom, "bom"),
            (EncodingSource::Utf8, "utf-8"),
            (EncodingSource::Utf16Pattern, "utf16-pattern"),
            (EncodingSource::Declared, "declared"),
            (EncodingSource::Detected, "detected"),
            (EncodingSource::Forced, "forced"),
        ];
        for (s, name) in all {
            assert_eq!(s.as_str(), name);
        }
    }

    #[test]
    fn chooses_encoding() {
        // (name, input, expected text, encoding label, source)
        let cases: &[(&str, &[u8], &str, &str, EncodingSource)] = &[
            (
                "ascii",
                b"plain text\n",
                "plain text\n",
                "utf-8",
                EncodingSource::Utf8,
            ),
            ("empty", b"", "", "utf-8", EncodingSource::Utf8),
            (
                "utf-8",
                "café ☕\n".as_bytes(),
                "café ☕\n",
                "utf-8",
                EncodingSource::Utf8,
            ),
            (
                "utf-8 bom",
                b"\xEF\xBB\xBFhi \xC3\xA9",
                "hi é",
                "utf-8",
                EncodingSource::Bom,
            ),
            (
                "utf-16le bom",
                b"\xFF\xFEh\x00i\x00",
                "hi",
                "utf-16le",
                EncodingSource::Bom,
            ),
            (
                "utf-16be bom",
                b"\xFE\xFF\x00h\x00i",
                "hi",
                "utf-16be",
                EncodingSource::Bom,
            ),
            (
                "utf-16le pattern",
                b"h\x00e\x00l\x00l\x00o\x00 \x00\xE9\x00",
                "hello é",
                "utf-16le",
                EncodingSource::Utf16Pattern,
            ),
            (
                "utf-16be pattern",
                b"\x00h\x00e\x00l\x00l\x00o",
                "hello",
                "utf-16be",
                EncodingSource::Utf16Pattern,
            ),
            (
                "meta charset",
                b"<html><head><meta charset=\"windows-1251\"></head>\xcf\xf0\xe8\xe2\xe5\xf2",
                "<html><head><meta charset=\"windows-1251\"></head>Привет",
                "windows-1251",
                EncodingSource::Declared,
            ),
            (
                "xml declaration",
                b"<?xml version='1.0' encoding='ISO-8859-2'?><a>\xb1</a>",
                "<?xml version='1.0' encoding='ISO-8859-2'?><a>ą</a>",
                "iso-8859-2",
                EncodingSource::Declared,
            ),
            (
                "http header",
                b"Content-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4",
                "Content-Type: text/plain; charset=koi8-r\n\nПривет",
                "koi8-r",
                EncodingSource::Declared,
            ),
            (
                "emacs coding",
                b"# -*- coding: latin-1 -*-\ncaf\xe9",
                "# -*- coding: latin-1 -*-\ncafé",
                "windows-1252",
                EncodingSource::Declared,
            ),
            (
                "iso-2022-jp",
                b"\x1b$B$3$s$K$A$O\x1b(B",
                "こんにちは",
                "iso-2022-jp",
                EncodingSource::Detected,
            ),
        ];
        for &(name, input, text, label, source) in cases {
            let (got, report) = decode(input);
            assert_eq!(got, text, "{name}");
            assert_eq!(report.encoding, enc(label), "{name}");
            assert_eq!(report.source, source, "{name}");
            assert_eq!(report.replacements, 0, "{name}");
        }
    }

    #[test]
    fn false_declarations_are_ignored() {
        // Valid UTF-8 beats a declaration.
        let (got, r) = decode("<meta charset=\"iso-8859-1\">café".as_bytes());
        assert_eq!(
            (got.as_str(), r.source),
            ("<meta charset=\"iso-8859-1\">café", EncodingSource::Utf8)
        );
        // A UTF-16 declaration in ASCII bytes is not followed.
        let (_, r) = decode(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>");
        assert_eq!((r.encoding, r.source), (UTF_8, EncodingSource::Utf8));
        // Unknown labels are skipped.
        let (_, r) = decode(b"charset=bogus-42 plain");
        assert_eq!(r.source, EncodingSource::Utf8);
        // A declared UTF-8 that the bytes contradict goes to detection.
        let (_, r) = decode(b"<meta charset=utf-8> Gr\xfc\xdfe aus K\xf6ln, sch\xf6ne Stra\xdfe");
        assert_eq!(
            (r.encoding, r.source),
            (enc("windows-1252"), EncodingSource::Detected)
        );
    }

    #[test]
    fn detects_legacy_text() {
        let text = "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация южных губерний.";
        let (bytes, _, _) = enc("windows-1251").encode(text);
        let (got, r) = decode(&bytes);
        assert_eq!(got, text);
        assert_eq!(
            (r.encoding, r.source),
            (enc("windows-1251"), EncodingSource::Detected)
        );
        let text = "日本語のテキストです。文字コードの判定を試験します。";
        let (bytes, _, _) = enc("shift_jis").encode(text);
        let opts = DecodeOptions {
            tld: Some("example.JP".into()),
            ..Default::default()
        };
        let (got, r) = decode_with(&bytes, &opts, usize::MAX, PREFIX_LEN, 100).unwrap();
        assert_eq!(got, text);
        assert_eq!(r.encoding, enc("shift_jis"));
    }

    /// English windows-1252 pages that chardetng alone reads as ISO-8859-2
    /// ("HARBOUR GAZETTE ˇ EST. 1868", "news ť Business", "Ł2.4m"), and
    /// Central European pages, with the same kind of symbols, that must keep
    /// their encoding.
    #[test]
    fn windows_1252_beats_central_european_on_isolated_symbols() {
        // (label the text is encoded in and must decode as, text)
        let cases = [
            (
                "windows-1252",
                "HARBOUR GAZETTE · EST. 1868\nLatest news » Business » Politics » Sport » Weather\n\n\
                 Council approves harbour wall repairs\n\nThe council has approved plans to repair \
                 the harbour wall after winter storms caused damage estimated at £2.4m.\n\n\
                 © Harbour Gazette 2025\n",
            ),
            (
                "windows-1252",
                "Latest news » Business » Politics\nThe firm said it would pay £2 per share.\n",
            ),
            (
                "windows-1252",
                "© Metro Ledger 2025\nShares rose 3% \u{2013} the bank\u{2019}s profit was £825m.\n",
            ),
            (
                "windows-1250",
                "Zażółć gęślą jaźń. Wczoraj w Warszawie odbyło się posiedzenie rządu, na którym \
                 omówiono budżet na przyszły rok. Minister finansów przedstawił projekt ustawy.\n",
            ),
            (
                "iso-8859-2",
                "Zażółć gęślą jaźń. Wczoraj w Warszawie odbyło się posiedzenie rządu, na którym \
                 omówiono budżet na przyszły rok. Minister finansów przedstawił projekt ustawy.\n",
            ),
            (
                "iso-8859-2",
                "Ł. Kowalski, Łódź: rząd przyjął projekt budżetu, posłowie będą głosować \
                 w przyszłym tygodniu.\n",
            ),
            (
                "windows-1250",
                "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda včera schválila návrh zákona \
                 o státním rozpočtu na příští rok.\n",
            ),
            (
                "iso-8859-2",
                "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda včera schválila návrh zákona \
                 o státním rozpočtu na příští rok.\n",
            ),
            (
                "windows-1250",
                "Wiadomości » Kraj » Polityka\n\nRząd przyjął projekt budżetu. Posłowie będą \
                 głosować w przyszłym tygodniu.\n\n© Gazeta Łódzka 2025\n",
            ),
            (
                "iso-8859-2",
                "Zprávy - Domácí\n\nVláda schválila rozpočet. Poslanci o něm budou hlasovat \
                 příští týden; ministr řekl, že schodek klesne.\n\n(c) Deník 2025\n",
            ),
        ];
        for (label, text) in cases {
            let (bytes, _, unmappable) = enc(label).encode(text);
            assert!(!unmappable, "{label}: {text}");
            let (got, r) = decode(&bytes);
            assert_eq!(got, text, "{label}");
            assert_eq!(
                (r.encoding, r.source),
                (enc(label), EncodingSource::Detected),
                "{text}"
            );
        }
    }

    #[test]
    fn windows_1252_plausibility_votes() {
        let iso2 = encoding_rs::ISO_8859_2;
        // Isolated: "£5" (Ł before a digit), "· " between spaces.
        assert!(windows_1252_more_plausible(b"pay \xa35 now", iso2));
        assert!(windows_1252_more_plausible(b"A \xb7 B \xbb C", iso2));
        // Inside words: ISO-8859-2 0xB6 is ś and 0xB1 is ą ("ślą świat").
        assert!(!windows_1252_more_plausible(b"\xb6l\xb1 \xb6wiat", iso2));
        // One isolated symbol against two letters in words: the guess stays.
        assert!(!windows_1252_more_plausible(b"\xa3 5 \xb6l\xb1", iso2));
        // Bytes both encodings read as letters (\xe8: č or è) do not vote.
        assert!(!windows_1252_more_plausible(b"\xe8 \xe8a", iso2));
        // A byte at the prefix end with an unknown neighbour does not vote.
        assert!(!windows_1252_more_plausible(b"\xbb im", iso2));
        assert!(!windows_1252_more_plausible(b"je \xbe", iso2));
    }

    #[test]
    fn forced_encoding_wins() {
        let opts = DecodeOptions {
            forced: Some(enc("windows-1252")),
            ..Default::default()
        };
        let (got, r) = decode_with("café".as_bytes(), &opts, usize::MAX, PREFIX_LEN, 64).unwrap();
        assert_eq!(got, "cafÃ©");
        assert_eq!(r.source, EncodingSource::Forced);
        // A BOM of the forced encoding is dropped, another one is not.
        let opts = DecodeOptions {
            forced: Some(UTF_8),
            ..Default::default()
        };
        let (got, _) = decode_with(b"\xEF\xBB\xBFx", &opts, usize::MAX, PREFIX_LEN, 64).unwrap();
        assert_eq!(got, "x");
        let opts = DecodeOptions {
            forced: Some(enc("windows-1252")),
            ..Default::default()
        };
        let (got, _) = decode_with(b"\xEF\xBB\xBFx", &opts, usize::MAX, PREFIX_LEN, 64).unwrap();
        assert_eq!(got, "ï»¿x");
    }

    #[test]
    fn split_characters_across_reads() {
        // (forced label, text): every character is multi-byte somewhere.
        let cases = [
            ("utf-8", "aé€😀 ü ☕ 日本"),
            ("utf-16le", "aé€😀 ü ☕ 日本"),
            ("utf-16be", "aé€😀 ü ☕ 日本"),
            ("shift_jis", "日本語のテキスト、半角ｶﾅ"),
            ("euc-jp", "日本語のテキスト"),
            ("iso-2022-jp", "日本語のテキスト abc 日本"),
            ("gbk", "简体中文文本"),
            ("gb18030", "简体中文文本 😀"),
            ("big5", "正體中文文本"),
            ("euc-kr", "한국어 텍스트"),
            ("windows-1252", "café “quoted” €5"),
            ("koi8-r", "Привет, мир"),
        ];
        for (label, text) in cases {
            let e = enc(label);
            let bytes: Vec<u8> = if e == encoding_rs::UTF_16LE {
                text.encode_utf16().flat_map(u16::to_le_bytes).collect()
            } else if e == encoding_rs::UTF_16BE {
                text.encode_utf16().flat_map(u16::to_be_bytes).collect()
            } else {
                e.encode(text).0.into_owned()
            };
            let opts = DecodeOptions {
                forced: Some(e),
                ..Default::default()
            };
            for (in_n, cap, out_n) in [
                (1, 4, 1),
                (1, 4, 3),
                (3, 5, 2),
                (2, 7, 1),
                (usize::MAX, 4, 1),
                (1, PREFIX_LEN, 1),
            ] {
                let (got, r) = decode_with(&bytes, &opts, in_n, cap, out_n).unwrap();
                assert_eq!(got, text, "{label} in={in_n} cap={cap} out={out_n}");
                assert_eq!(r.replacements, 0, "{label}");
            }
            // The same without forcing, where detection can see enough.
            if !matches!(
                label,
                "utf-16le"
                    | "utf-16be"
                    | "windows-1252"
                    | "koi8-r"
                    | "gbk"
                    | "gb18030"
                    | "big5"
                    | "euc-kr"
                    | "euc-jp"
                    | "shift_jis"
            ) {
                let (got, _) = decode_with(&bytes, &DecodeOptions::default(), 1, 4, 1).unwrap();
                assert_eq!(got, text, "{label} undetected");
            }
        }
    }

    #[test]
    fn utf8_split_past_the_prefix() {
        // The prefix ends inside a character; the rest comes later.
        let text = "ab€€€😀😀é";
        for cap in 4..12 {
            let (got, r) =
                decode_with(text.as_bytes(), &DecodeOptions::default(), 1, cap, 1).unwrap();
            assert_eq!(got, text, "cap {cap}");
            assert_eq!(r.replacements, 0);
        }
    }

    #[test]
    fn malformed_utf8_is_replaced_and_counted() {
        // (input after a valid UTF-8 prefix, expected output, replacements)
        let cases: &[(&[u8], &str, u64)] = &[
            (b"a\xffb", "a\u{fffd}b", 1),
            (b"a\xe2\x82b", "a\u{fffd}b", 1),
            (b"a\xc3", "a\u{fffd}", 1),
            (b"\x80\x80", "\u{fffd}\u{fffd}", 2),
            (b"ok", "ok", 0),
        ];
        for &(tail, want, n) in cases {
            let prefix = "é".repeat(8);
            let mut input = prefix.clone().into_bytes();
            input.extend_from_slice(tail);
            for (in_n, cap, out_n) in [(usize::MAX, 16, 4096), (1, 4, 1), (5, 6, 2)] {
                let (got, r) =
                    decode_with(&input, &DecodeOptions::default(), in_n, cap, out_n).unwrap();
                assert_eq!(got, format!("{prefix}{want}"), "{tail:?} cap={cap}");
                assert_eq!(r.replacements, n, "{tail:?} cap={cap}");
            }
        }
    }

    #[test]
    fn mostly_utf8_is_utf8() {
        let text = "Le café de la gare a rouvert après des mois de travaux, à la grande joie \
                    des habitués. L’été dernier, nous sommes allés à Orléans.\n";
        // A stray byte, a character cut at the end, a cut one inside.
        let mut stray = text.as_bytes().to_vec();
        stray.insert(20, 0xFF);
        let mut cut_end = text.as_bytes().to_vec();
        cut_end.extend_from_slice(&"€".as_bytes()[..2]);
        let mut cut_inside = text.as_bytes().to_vec();
        cut_inside.splice(40..40, "€".as_bytes()[..2].iter().copied());
        for (name, input) in [
            ("stray", &stray),
            ("cut at end", &cut_end),
            ("cut inside", &cut_inside),
        ] {
            let (got, r) = decode(input);
            assert_eq!(
                (r.encoding, r.source, r.replacements),
                (UTF_8, EncodingSource::Utf8, 1),
                "{name}"
            );
            assert_eq!(got.replace('\u{fffd}', ""), text, "{name}");
            let opts = DecodeOptions {
                strict: true,
                ..Default::default()
            };
            let err = decode_with(input, &opts, usize::MAX, PREFIX_LEN, 4096).unwrap_err();
            let at = match name {
                "stray" => 20,
                "cut at end" => text.len(),
                _ => 40,
            };
            assert_eq!(
                err.to_string(),
                format!("malformed UTF-8 at byte offset {at}")
            );
        }
        // Too few valid characters per error: detection decides.
        let (got, r) = decode(b"na\xefve caf\xc3\xa9 cr\xe8me br\xfbl\xe9e");
        assert_eq!(r.source, EncodingSource::Detected);
        assert_eq!(got, "naïve cafÃ© crème brûlée");
        assert!(!mostly_utf8(b"caf\xc3\xa9 \xff", true));
        let mut stray = "é".repeat(8).into_bytes();
        stray.push(0xFF);
        assert!(mostly_utf8(&stray, true));
        // A sequence cut by the prefix end is malformed only at EOF.
        let mut cut = "é".repeat(8).into_bytes();
        cut.extend_from_slice(b"\xe2\x82");
        assert!(!mostly_utf8(&cut, false));
        assert!(mostly_utf8(&cut, true));
    }

    #[test]
    fn strict_mode_reports_offset() {
        let mut input = "é".repeat(8).into_bytes();
        input.extend_from_slice(b"ab\xff");
        let opts = DecodeOptions {
            strict: true,
            ..Default::default()
        };
        // The prefix (4 or 16 bytes) is valid UTF-8; the error comes later.
        for cap in [4, 16] {
            let err = decode_with(&input, &opts, 1, cap, 1).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert_eq!(
                err.to_string(),
                "malformed UTF-8 at byte offset 18",
                "cap {cap}"
            );
        }
        let opts = DecodeOptions {
            strict: true,
            forced: Some(UTF_8),
            ..Default::default()
        };
        let err = decode_with(&input, &opts, usize::MAX, PREFIX_LEN, 4096).unwrap_err();
        assert_eq!(err.to_string(), "malformed UTF-8 at byte offset 18");
        let opts = DecodeOptions {
            strict: true,
            forced: Some(enc("shift_jis")),
            ..Default::default()
        };
        let err = decode_with(b"abc\x81\x20", &opts, 1, 4, 1).unwrap_err();
        assert_eq!(err.to_string(), "malformed Shift_JIS at byte offset 3");
        let opts = DecodeOptions {
            forced: Some(enc("shift_jis")),
            ..Default::default()
        };
        let (got, r) = decode_with(b"abc\x81\x20", &opts, 1, 4, 1).unwrap();
        assert_eq!((got.as_str(), r.replacements), ("abc\u{fffd} ", 1));
    }

    #[test]
    fn ascii_and_utf8_pass_through_untouched() {
        let ascii: Vec<u8> = (0u8..128).cycle().take(200_000).collect();
        let ascii: Vec<u8> = ascii.into_iter().filter(|&b| b != 0 && b != 0x1b).collect();
        let (got, _) = decode(&ascii);
        assert_eq!(got.as_bytes(), &ascii[..]);
        let utf8 = "Grüße, ☕ and 😀; Ελληνικά, русский, 日本語.\n".repeat(5000);
        let (got, r) = decode(utf8.as_bytes());
        assert_eq!(got, utf8);
        assert_eq!(
            (r.encoding, r.source, r.replacements),
            (UTF_8, EncodingSource::Utf8, 0)
        );
    }

    #[test]
    fn labels() {
        for (label, want) in [
            ("utf-8", "UTF-8"),
            (" UTF8 ", "UTF-8"),
            ("latin1", "windows-1252"),
            ("latin-1", "windows-1252"),
            ("iso-8859-1", "windows-1252"),
            ("shift_jis", "Shift_JIS"),
            ("sjis", "Shift_JIS"),
            ("cp1251", "windows-1251"),
            ("MacCyrillic", "x-mac-cyrillic"),
            ("cp932", "Shift_JIS"),
        ] {
            assert_eq!(
                encoding_for_label(label).map(Encoding::name),
                Some(want),
                "{label}"
            );
        }
        assert_eq!(encoding_for_label("no-such-charset"), None);
    }
}

//! Line splitting and the settled gate's byte test in one pass.
//!
//! Every line of a window used to be found with its own `memchr` call and
//! then scanned again by the settled gate (`settled::is_settled`). On
//! plain news, half the lines are blank and the rest average about 200
//! bytes, so both scans paid their set-up far more often than their
//! per-byte work: together they took about a quarter of `-j1`'s time.
//! Here the window is classified 64 bytes at a time into three bit masks
//! (line terminators, bytes the gate turns down, bytes >= 0x80), and each
//! line is read off the masks: its end is the next terminator bit, and
//! whether it holds an odd or a non-ASCII byte is a test of the bits
//! between its ends.
//!
//! Lines are exactly those of [`crate::lines::split_lines`] (LF, CRLF and a
//! lone CR end a line) and the marks exactly what `settled::ascii_settled`
//! decides for each line; the tests check both against those functions.

/// One line of a window, with what its bytes say about the settled gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkedLine<'a> {
    /// Byte offset of the line in the window.
    pub at: usize,
    /// The line, without its terminator.
    pub text: &'a str,
    /// The line holds a byte the settled gate turns down for itself (a
    /// control character, DEL, `&`, `<`, or the second of two spaces);
    /// non-ASCII bytes do not count here.
    pub odd: bool,
    /// The line holds a non-ASCII byte (0x80 or more).
    pub high: bool,
}

/// The lines of `text` with their marks, in order.
pub fn marked_lines(text: &str) -> MarkedLines<'_> {
    MarkedLines {
        text,
        blocks: [Block::default(); CHUNK_BLOCKS],
        filled: 0,
        next_index: 0,
        next_chunk: 0,
        chunk_base: 0,
        base: 0,
        terms: 0,
        odd: 0,
        high: 0,
        odd_before: false,
        high_before: false,
        line_start: 0,
        space_carry: 0,
        skip_first: false,
    }
}

/// Blocks of 64 bytes classified in one call: the call (and its CPU
/// feature test) is paid once per 4 KiB, and the loop over the blocks
/// runs with the vector instructions inlined.
const CHUNK_BLOCKS: usize = 64;

/// Bit `i` of each mask describes byte `i` of a 64-byte block.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Block {
    /// LF or CR.
    terms: u64,
    /// Bytes the settled gate turns down, other than terminators and
    /// non-ASCII bytes: control characters, DEL, `&`, `<`, and a space
    /// after a space.
    odd: u64,
    /// A byte of 0x80 or more.
    high: u64,
}

/// Iterator returned by [`marked_lines`].
#[derive(Debug, Clone)]
pub struct MarkedLines<'a> {
    text: &'a str,
    /// The classified blocks of the current chunk: `blocks[..filled]`.
    blocks: [Block; CHUNK_BLOCKS],
    filled: usize,
    /// Index in `blocks` of the next block to take up.
    next_index: usize,
    /// Offset of the next chunk to classify, and of the current one.
    next_chunk: usize,
    chunk_base: usize,
    /// Offset of the block taken up.
    base: usize,
    /// Terminator bits of that block not yet reached.
    terms: u64,
    /// Its odd and high bits at or after `line_start`.
    odd: u64,
    high: u64,
    /// The current line had odd / high bytes in earlier blocks.
    odd_before: bool,
    high_before: bool,
    /// Where the current line starts.
    line_start: usize,
    /// The last byte classified was a space.
    space_carry: u64,
    /// The next block's first byte is the LF of a CRLF already taken.
    skip_first: bool,
}

impl<'a> Iterator for MarkedLines<'a> {
    type Item = MarkedLine<'a>;

    #[inline]
    fn next(&mut self) -> Option<MarkedLine<'a>> {
        let bytes = self.text.as_bytes();
        loop {
            if self.terms != 0 {
                let bit = self.terms.trailing_zeros();
                self.terms &= self.terms - 1;
                let end = self.base + bit as usize;
                let below = (1u64 << bit) - 1;
                let odd = self.odd_before || self.odd & below != 0;
                let high = self.high_before || self.high & below != 0;
                let through = below | (1u64 << bit);
                self.odd &= !through;
                self.high &= !through;
                self.odd_before = false;
                self.high_before = false;
                let start = self.line_start;
                self.line_start = end + 1;
                if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    self.line_start = end + 2;
                    if bit < 63 {
                        self.terms &= !(1u64 << (bit + 1));
                    } else {
                        self.skip_first = true;
                    }
                }
                return Some(self.line(start, end, odd, high));
            }
            // What is left of the block's marks belongs to the current
            // line, and so do the blocks after it up to the next one with
            // a terminator: in a tight loop, as lines span a few blocks.
            let (mut odd, mut high) = (self.odd, self.high);
            let mut i = self.next_index;
            while i < self.filled && self.blocks[i].terms == 0 {
                odd |= self.blocks[i].odd;
                high |= self.blocks[i].high;
                i += 1;
            }
            self.odd_before |= odd != 0;
            self.high_before |= high != 0;
            (self.odd, self.high) = (0, 0);
            if i == self.filled {
                if self.next_chunk >= bytes.len() {
                    let start = self.line_start;
                    if start >= bytes.len() {
                        return None;
                    }
                    self.line_start = bytes.len();
                    let (odd, high) = (self.odd_before, self.high_before);
                    return Some(self.line(start, bytes.len(), odd, high));
                }
                self.filled = classify(
                    &bytes[self.next_chunk..],
                    &mut self.space_carry,
                    &mut self.blocks,
                );
                self.next_index = 0;
                self.chunk_base = self.next_chunk;
                self.next_chunk += 64 * CHUNK_BLOCKS;
                continue;
            }
            let block = self.blocks[i];
            self.next_index = i + 1;
            self.base = self.chunk_base + 64 * i;
            self.terms = block.terms & !u64::from(std::mem::take(&mut self.skip_first));
            self.odd = block.odd;
            self.high = block.high;
        }
    }
}

impl<'a> MarkedLines<'a> {
    fn line(&self, start: usize, end: usize, odd: bool, high: bool) -> MarkedLine<'a> {
        MarkedLine {
            at: start,
            // Terminators are ASCII, so both ends are character boundaries.
            text: &self.text[start..end],
            odd,
            high,
        }
    }
}

/// Classifies up to [`CHUNK_BLOCKS`] blocks from the start of `bytes` into
/// `out`, returning how many (the last may be partial). `space_carry`
/// says whether the byte before `bytes` was a space, and is left saying
/// the same of the last byte classified.
fn classify(bytes: &[u8], space_carry: &mut u64, out: &mut [Block; CHUNK_BLOCKS]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above (std caches
            // the answer).
            return unsafe { simd::classify_avx2(bytes, space_carry, out) };
        }
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { simd::classify_sse2(bytes, space_carry, out) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    classify_with(bytes, space_carry, out, raw_masks)
}

/// A block's masks before terminators and double spaces are sorted out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RawMasks {
    /// LF or CR.
    terms: u64,
    /// Below 0x20, DEL, `&` or `<` (terminators included).
    odd: u64,
    /// A byte of 0x80 or more.
    high: u64,
    /// A space.
    spaces: u64,
}

/// The loop of [`classify`], with the byte test of one block given.
#[inline(always)]
fn classify_with(
    bytes: &[u8],
    space_carry: &mut u64,
    out: &mut [Block; CHUNK_BLOCKS],
    raw: impl Fn(&[u8; 64]) -> RawMasks,
) -> usize {
    let finish = |m: RawMasks, carry: &mut u64| {
        // A space after a space: the pair is marked at its second byte,
        // which lies in the same line as the first.
        let double = m.spaces & ((m.spaces << 1) | *carry);
        *carry = m.spaces >> 63;
        Block {
            terms: m.terms,
            odd: (m.odd | double) & !m.terms,
            high: m.high,
        }
    };
    let full = (bytes.len() / 64).min(CHUNK_BLOCKS);
    let (blocks, rest) = bytes[..bytes.len().min(64 * CHUNK_BLOCKS)].as_chunks::<64>();
    for (slot, block) in out.iter_mut().zip(blocks) {
        *slot = finish(raw(block), space_carry);
    }
    if rest.is_empty() {
        return full;
    }
    let mut padded = [0u8; 64];
    padded[..rest.len()].copy_from_slice(rest);
    let valid = (1u64 << rest.len()) - 1;
    let m = raw(&padded);
    out[full] = finish(
        RawMasks {
            terms: m.terms & valid,
            odd: m.odd & valid,
            high: m.high & valid,
            spaces: m.spaces & valid,
        },
        space_carry,
    );
    full + 1
}

/// The definition of [`RawMasks`], byte by byte.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn raw_masks(block: &[u8; 64]) -> RawMasks {
    let mut m = RawMasks {
        terms: 0,
        odd: 0,
        high: 0,
        spaces: 0,
    };
    for (i, &c) in block.iter().enumerate() {
        let bit = 1u64 << i;
        if c == b'\n' || c == b'\r' {
            m.terms |= bit;
        }
        if c < 0x20 || c == 0x7f || c == b'&' || c == b'<' {
            m.odd |= bit;
        }
        if c >= 0x80 {
            m.high |= bit;
        }
        if c == b' ' {
            m.spaces |= bit;
        }
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{Block, CHUNK_BLOCKS, RawMasks, classify_with};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(super) fn classify_avx2(
        bytes: &[u8],
        space_carry: &mut u64,
        out: &mut [Block; CHUNK_BLOCKS],
    ) -> usize {
        classify_with(bytes, space_carry, out, |block| {
            // SAFETY: each load reads 32 bytes of a 64-byte array at 0 or
            // 32; loads are unaligned.
            let lo = unsafe { _mm256_loadu_si256(block.as_ptr().cast()) };
            let hi = unsafe { _mm256_loadu_si256(block.as_ptr().add(32).cast()) };
            let bits = |l: __m256i, h: __m256i| {
                let l = _mm256_movemask_epi8(l) as u32;
                let h = _mm256_movemask_epi8(h) as u32;
                u64::from(l) | u64::from(h) << 32
            };
            let is = |v: __m256i, c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
            let terms = |v| _mm256_or_si256(is(v, b'\n'), is(v, b'\r'));
            let odd = |v| {
                // `min(v, 0x1f) == v` holds for bytes up to 0x1f.
                let control = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v);
                _mm256_or_si256(
                    _mm256_or_si256(control, is(v, 0x7f)),
                    _mm256_or_si256(is(v, b'&'), is(v, b'<')),
                )
            };
            RawMasks {
                terms: bits(terms(lo), terms(hi)),
                odd: bits(odd(lo), odd(hi)),
                high: bits(lo, hi),
                spaces: bits(is(lo, b' '), is(hi, b' ')),
            }
        })
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn classify_sse2(
        bytes: &[u8],
        space_carry: &mut u64,
        out: &mut [Block; CHUNK_BLOCKS],
    ) -> usize {
        classify_with(bytes, space_carry, out, |block| {
            let mut m = RawMasks {
                terms: 0,
                odd: 0,
                high: 0,
                spaces: 0,
            };
            for i in 0..4 {
                // SAFETY: bytes `16 * i..16 * i + 16` of a 64-byte array
                // are readable; the load is unaligned.
                let v = unsafe { _mm_loadu_si128(block.as_ptr().add(16 * i).cast()) };
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u32 & 0xffff) << (16 * i);
                let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                m.terms |= bits(_mm_or_si128(is(b'\n'), is(b'\r')));
                m.odd |= bits(_mm_or_si128(
                    _mm_or_si128(control, is(0x7f)),
                    _mm_or_si128(is(b'&'), is(b'<')),
                ));
                m.high |= bits(v);
                m.spaces |= bits(is(b' '));
            }
            m
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::split_lines;
    use proptest::prelude::*;

    /// The marks by definition: what `settled` decides, line by line.
    fn expected(text: &str) -> Vec<MarkedLine<'_>> {
        split_lines(text)
            .map(|(at, line)| {
                let b = line.as_bytes();
                let odd = b
                    .iter()
                    .any(|&c| c < 0x80 && (!(0x20..0x7f).contains(&c) || c == b'&' || c == b'<'))
                    || b.windows(2).any(|w| w == b"  ");
                MarkedLine {
                    at,
                    text: line,
                    odd,
                    high: b.iter().any(|&c| c >= 0x80),
                }
            })
            .collect()
    }

    #[test]
    fn marks_lines_of_news() {
        let text = "Storm hits coast\n\nHomes  were flooded.\r\nM&S said £5m\rlast";
        let got: Vec<_> = marked_lines(text).collect();
        assert_eq!(got, expected(text));
        let marks: Vec<_> = got.iter().map(|l| (l.text, l.odd, l.high)).collect();
        assert_eq!(
            marks,
            [
                ("Storm hits coast", false, false),
                ("", false, false),
                ("Homes  were flooded.", true, false),
                ("M&S said £5m", true, true),
                ("last", false, false),
            ]
        );
    }

    #[test]
    fn marks_survive_block_boundaries() {
        // Put each interesting byte at every offset around a block edge.
        for special in ["\r\n", "\n", "\r", "  ", "&", "é", "\t"] {
            for pad in 50..80 {
                let text = format!("{}{special}{}\n{}", "a".repeat(pad), "b".repeat(70), "c");
                let got: Vec<_> = marked_lines(&text).collect();
                assert_eq!(got, expected(&text), "{special:?} after {pad} bytes");
            }
        }
    }

    #[test]
    fn classifiers_agree() {
        // Every byte value, in chunks of every length up to two full ones.
        let bytes: Vec<u8> = (0..64 * CHUNK_BLOCKS * 2)
            .map(|i| (i * 7 % 256) as u8)
            .collect();
        for len in [
            0,
            1,
            63,
            64,
            65,
            200,
            64 * CHUNK_BLOCKS - 1,
            64 * CHUNK_BLOCKS,
            bytes.len(),
        ] {
            let mut want = [Block::default(); CHUNK_BLOCKS];
            let mut want_carry = 1;
            let n = classify_with(&bytes[..len], &mut want_carry, &mut want, raw_masks);
            assert_eq!(n, len.div_ceil(64).min(CHUNK_BLOCKS));
            let mut got = [Block::default(); CHUNK_BLOCKS];
            let mut carry = 1;
            assert_eq!(classify(&bytes[..len], &mut carry, &mut got), n);
            assert_eq!((got, carry), (want, want_carry), "{len} bytes");
            #[cfg(target_arch = "x86_64")]
            {
                let mut carry = 1;
                // SAFETY: SSE2 is part of the x86-64 baseline.
                unsafe { simd::classify_sse2(&bytes[..len], &mut carry, &mut got) };
                assert_eq!((got, carry), (want, want_carry), "{len} bytes, SSE2");
            }
        }
    }

    proptest! {
        /// Lines and marks agree with `split_lines` and the settled test's
        /// definition on text of every length.
        #[test]
        fn agrees_with_split_lines(
            parts in proptest::collection::vec(
                prop::sample::select(vec![
                    "a", "word", " ", "  ", "\n", "\r", "\r\n", "\n\n", "&", "<", "\t", "é",
                    "£5", "\u{7f}", "\u{0}", "~", "abcdefghijklmnopqrstuvwxyz0123456789",
                ]),
                0..120,
            )
        ) {
            let text: String = parts.concat();
            let got: Vec<_> = marked_lines(&text).collect();
            prop_assert_eq!(got, expected(&text));
        }
    }
}

//! Byte scans the stages share.

/// Index of the first byte for which `hit` holds. Blocks of 16 bytes are
/// tested without early exits first, which the compiler vectorises; only
/// the block that holds a hit is searched byte by byte.
#[inline]
pub(crate) fn first_byte(b: &[u8], hit: impl Fn(u8) -> bool) -> Option<usize> {
    let mut at = 0;
    for block in b.chunks(16) {
        if block.iter().fold(false, |any, &c| any | hit(c)) {
            return block.iter().position(|&c| hit(c)).map(|i| at + i);
        }
        at += block.len();
    }
    None
}

/// Index of the first byte >= 0x80. On x86-64, 16 bytes per step with
/// SSE2 (part of the baseline): the sign bits of 16 bytes are one
/// `movemask`, a third of the instructions of [`first_byte`]'s blocks on
/// the long lines of news that hold a curly quote or a pound sign.
#[inline]
pub(crate) fn first_non_ascii(b: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8};
        let mut at = 0;
        while at + 16 <= b.len() {
            // SAFETY: bytes `at..at + 16` are in `b` (the load is
            // unaligned), and SSE2 is part of the x86-64 baseline.
            let high = unsafe { _mm_movemask_epi8(_mm_loadu_si128(b.as_ptr().add(at).cast())) };
            if high != 0 {
                return Some(at + high.trailing_zeros() as usize);
            }
            at += 16;
        }
        b[at..].iter().position(|&c| c >= 0x80).map(|i| at + i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    first_byte(b, |c| c >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_hit_in_any_block() {
        let mut b = vec![b'a'; 40];
        assert_eq!(first_non_ascii(&b), None);
        b[33] = 0xc3;
        b[37] = 0x80;
        assert_eq!(first_non_ascii(&b), Some(33));
        assert_eq!(first_byte(&b, |c| c == b'a'), Some(0));
        assert_eq!(first_non_ascii(b""), None);
    }

    #[test]
    fn first_non_ascii_at_every_offset_of_every_length() {
        for len in 0..50 {
            let mut b = vec![b'a'; len];
            assert_eq!(first_non_ascii(&b), None);
            for at in (0..len).rev() {
                b[at] = 0x80 | (at as u8);
                assert_eq!(first_non_ascii(&b), Some(at), "{len} bytes");
            }
        }
    }
}

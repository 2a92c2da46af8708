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

/// Index of the first byte >= 0x80.
#[inline]
pub(crate) fn first_non_ascii(b: &[u8]) -> Option<usize> {
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
}

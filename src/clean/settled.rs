//! The fast path's gate: is a raw line already exactly what repair and
//! normalisation would make of it?

/// True for a line that no stage before the judge would change: printable
/// ASCII with single inner spaces, no space at either end, and no `&` or
/// `<` for repair to look at. Every line of the input passes through here,
/// so on x86-64 it runs 16 bytes per step in SSE2 (part of the x86-64
/// baseline, no detection needed); elsewhere byte by byte.
pub(super) fn is_settled(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    if first == b' ' || last == b' ' {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if b.len() > 16 {
        return sse2::settled(b);
    }
    let pairs = b.iter().zip(&b[1..]);
    pairs.fold(odd(last, 0), |f, (&c, &next)| f | odd(c, next)) == 0
}

/// Non-zero when byte `c`, followed by `next`, keeps a line from being
/// settled.
#[inline(always)]
fn odd(c: u8, next: u8) -> u8 {
    u8::from(c.wrapping_sub(0x20) >= 0x5f)
        | u8::from(c == b'&')
        | u8::from(c == b'<')
        | (u8::from(c == b' ') & u8::from(next == b' '))
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// [`super::is_settled`] for lines longer than 16 bytes.
    pub(super) fn settled(b: &[u8]) -> bool {
        debug_assert!(b.len() > 16);
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU
        // has it, and the compiler enables it for every x86-64 target.
        unsafe { settled_sse2(b) }
    }

    #[target_feature(enable = "sse2")]
    fn settled_sse2(b: &[u8]) -> bool {
        let n = b.len();
        let last = n - 17;
        let mut bad = _mm_setzero_si128();
        let mut at = 0;
        // Each step tests bytes at..at+16 against their successors; the
        // last step overlaps the one before rather than going byte by byte.
        loop {
            let now = at.min(last);
            bad = _mm_or_si128(bad, step(load(&b[now..]), load(&b[now + 1..])));
            if now == last {
                break;
            }
            at += 16;
        }
        _mm_movemask_epi8(bad) == 0 && super::odd(b[n - 1], 0) == 0
    }

    /// The first 16 bytes of `b`.
    #[target_feature(enable = "sse2")]
    fn load(b: &[u8]) -> __m128i {
        let lanes: &[u8; 16] = b[..16].try_into().expect("16 bytes");
        // SAFETY: `lanes` is 16 readable bytes; the load is unaligned.
        unsafe { _mm_loadu_si128(lanes.as_ptr().cast()) }
    }

    /// 0xFF in each lane whose byte is odd (see [`super::odd`]).
    #[target_feature(enable = "sse2")]
    fn step(here: __m128i, next: __m128i) -> __m128i {
        let space = _mm_set1_epi8(b' ' as i8);
        // Printable ASCII 0x20..=0x7E moves to -128..=-34 when 0x60 is
        // added with wrap-around; everything else lands above -34.
        let shifted = _mm_add_epi8(here, _mm_set1_epi8(0x60));
        let unprintable = _mm_cmpgt_epi8(shifted, _mm_set1_epi8(-34));
        let amp = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'&' as i8));
        let lt = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'<' as i8));
        let double = _mm_and_si128(_mm_cmpeq_epi8(here, space), _mm_cmpeq_epi8(next, space));
        _mm_or_si128(_mm_or_si128(unprintable, amp), _mm_or_si128(lt, double))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, byte by byte.
    fn settled_by_definition(b: &[u8]) -> bool {
        b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && b.iter()
                .all(|&c| (0x20..0x7f).contains(&c) && c != b'&' && c != b'<')
            && !b.windows(2).any(|w| w == b"  ")
    }

    #[test]
    fn settled_lines() {
        assert!(is_settled(b""));
        assert!(is_settled(
            b"The Inter-American Development Bank said regional exports rose."
        ));
        for bad in [
            " leading space in a line that is long enough",
            "trailing space in a line that is long enough ",
            "a double  space in a line that is long enough",
            "an ampersand: M&S in a line that is long enough",
            "a tag <br> in a line that is long enough",
            "a tab\tin a line that is long enough",
            "a pound sign £5 in a line that is long enough",
            "long enough line whose very last byte is DEL\u{7f}",
        ] {
            assert!(!is_settled(bad.as_bytes()), "{bad:?}");
        }
    }

    proptest! {
        /// The vectorised test agrees with the definition on lines of every
        /// length, from bytes that sit on each side of every boundary.
        #[test]
        fn settled_agrees_with_definition(
            line in proptest::collection::vec(
                prop_oneof![
                    8 => 0x61u8..0x7b,
                    2 => Just(b' '),
                    1 => prop::sample::select(vec![0x1f, 0x20, 0x21, 0x26, 0x3c, 0x7e, 0x7f, 0x80, 0xc3, 0xff]),
                ],
                0..80,
            )
        ) {
            prop_assert_eq!(is_settled(&line), settled_by_definition(&line), "{:?}", line);
        }
    }
}

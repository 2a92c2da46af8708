//! The fast path's gate: is a raw line already exactly what repair and
//! normalisation would make of it?

use crate::scan::first_non_ascii;

/// True for a line that no stage before the judge would change: printable
/// ASCII with single inner spaces, no space at either end, and no `&` or
/// `<` for repair to look at. Every line of the input passes through here,
/// so on x86-64 it runs 16 bytes per step in SSE2 (part of the x86-64
/// baseline, no detection needed), 32 in AVX2 where the CPU has it;
/// elsewhere byte by byte.
pub(super) fn is_settled(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    first != b' ' && last != b' ' && ascii_settled(b, false)
}

/// The byte test of [`is_settled`]; with `high_ok`, bytes >= 0x80 pass
/// (the non-ASCII characters are judged separately).
fn ascii_settled(b: &[u8], high_ok: bool) -> bool {
    #[cfg(target_arch = "x86_64")]
    if b.len() > 32 && std::is_x86_feature_detected!("avx2") {
        return avx2::settled(b, high_ok);
    }
    #[cfg(target_arch = "x86_64")]
    if b.len() > 16 {
        return sse2::settled(b, high_ok);
    }
    let Some(&last) = b.last() else {
        return true;
    };
    let odd = |c: u8, next: u8| odd(c, next) & u8::from(!(high_ok && c >= 0x80));
    let pairs = b.iter().zip(b.get(1..).unwrap_or_default());
    pairs.fold(odd(last, 0), |f, (&c, &next)| f | odd(c, next)) == 0
}

/// True for a line [`is_settled`] turns down only for its non-ASCII
/// characters when each of them is common typography or a Latin-1 letter
/// ([`harmless`]) and stands alone, at least four ASCII bytes from the
/// next: the pound sign, a curly quote or a dash in English news. Such a
/// character is left as it is by normalisation (NFC-stable, not a space,
/// an invisible or a control character), and repair's mojibake check
/// skips a lone character of this kind without a search (see
/// `repair::is_bad`). Not for `--nfkc` or `--ascii-quotes`, which change
/// some of them. The ASCII bytes get the vectorised test; only the
/// non-ASCII characters are looked at one by one.
pub(super) fn is_settled_typography(line: &str) -> bool {
    let b = line.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') || !ascii_settled(b, true) {
        return false;
    }
    lone_harmless_characters(line)
}

/// The second half of [`is_settled_typography`], for a line whose ASCII
/// bytes are known to pass: is every non-ASCII character [`harmless`] and
/// at least four bytes from the one before?
pub(super) fn lone_harmless_characters(line: &str) -> bool {
    let b = line.as_bytes();
    let mut i = 0;
    let mut previous_end: Option<usize> = None;
    while let Some(off) = first_non_ascii(&b[i..]) {
        let at = i + off;
        if previous_end.is_some_and(|end| at - end < 4) {
            return false;
        }
        let ch = line[at..].chars().next().expect("char boundary");
        if !harmless(ch) {
            return false;
        }
        i = at + ch.len_utf8();
        previous_end = Some(i);
    }
    true
}

/// Common non-ASCII typography of English news, and Latin-1 letters other
/// than `Ã` and `Â` (which mojibake repair must look at even alone).
fn harmless(c: char) -> bool {
    matches!(
        c,
        '£' | '€'
            | '¢'
            | '¥'
            | '©'
            | '®'
            | '™'
            | '°'
            | '·'
            | '«'
            | '»'
            | '‘'
            | '’'
            | '“'
            | '”'
            | '–'
            | '—'
            | '…'
            | '•'
            | '§'
            | '¶'
            | '×'
            | '÷'
            | '½'
            | '¼'
            | '¾'
    ) || (('\u{c0}'..='\u{ff}').contains(&c) && c != 'Ã' && c != 'Â')
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

    /// [`super::ascii_settled`] for lines longer than 16 bytes.
    pub(super) fn settled(b: &[u8], high_ok: bool) -> bool {
        debug_assert!(b.len() > 16);
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU
        // has it, and the compiler enables it for every x86-64 target.
        unsafe { settled_sse2(b, high_ok) }
    }

    #[target_feature(enable = "sse2")]
    fn settled_sse2(b: &[u8], high_ok: bool) -> bool {
        let n = b.len();
        let last = n - 17;
        let mut bad = _mm_setzero_si128();
        let mut at = 0;
        // Each step tests bytes at..at+16 against their successors; the
        // last step overlaps the one before rather than going byte by byte.
        loop {
            let now = at.min(last);
            bad = _mm_or_si128(bad, step(load(&b[now..]), load(&b[now + 1..]), high_ok));
            if now == last {
                break;
            }
            at += 16;
        }
        let last = b[n - 1];
        _mm_movemask_epi8(bad) == 0 && (super::odd(last, 0) == 0 || (high_ok && last >= 0x80))
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
    fn step(here: __m128i, next: __m128i, high_ok: bool) -> __m128i {
        let space = _mm_set1_epi8(b' ' as i8);
        // Printable ASCII 0x20..=0x7E moves to -128..=-34 when 0x60 is
        // added with wrap-around; everything else lands above -34.
        let shifted = _mm_add_epi8(here, _mm_set1_epi8(0x60));
        let mut unprintable = _mm_cmpgt_epi8(shifted, _mm_set1_epi8(-34));
        if high_ok {
            // Bytes >= 0x80 are negative as i8.
            let high = _mm_cmplt_epi8(here, _mm_setzero_si128());
            unprintable = _mm_andnot_si128(high, unprintable);
        }
        let amp = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'&' as i8));
        let lt = _mm_cmpeq_epi8(here, _mm_set1_epi8(b'<' as i8));
        let double = _mm_and_si128(_mm_cmpeq_epi8(here, space), _mm_cmpeq_epi8(next, space));
        _mm_or_si128(_mm_or_si128(unprintable, amp), _mm_or_si128(lt, double))
    }
}

/// The same test 32 bytes per step, for lines long enough to fill a step
/// on CPUs that have AVX2 (detected at run time; std caches the answer):
/// half the instructions of SSE2 on the long lines that carry most bytes.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// [`super::ascii_settled`] for lines longer than 32 bytes.
    pub(super) fn settled(b: &[u8], high_ok: bool) -> bool {
        debug_assert!(b.len() > 32 && std::is_x86_feature_detected!("avx2"));
        // SAFETY: the caller checked that this CPU has AVX2.
        unsafe { settled_avx2(b, high_ok) }
    }

    #[target_feature(enable = "avx2")]
    fn settled_avx2(b: &[u8], high_ok: bool) -> bool {
        let n = b.len();
        let last = n - 33;
        let mut bad = _mm256_setzero_si256();
        let mut at = 0;
        loop {
            let now = at.min(last);
            bad = _mm256_or_si256(bad, step(load(&b[now..]), load(&b[now + 1..]), high_ok));
            if now == last {
                break;
            }
            at += 32;
        }
        let last = b[n - 1];
        _mm256_movemask_epi8(bad) == 0 && (super::odd(last, 0) == 0 || (high_ok && last >= 0x80))
    }

    /// The first 32 bytes of `b`.
    #[target_feature(enable = "avx2")]
    fn load(b: &[u8]) -> __m256i {
        let lanes: &[u8; 32] = b[..32].try_into().expect("32 bytes");
        // SAFETY: `lanes` is 32 readable bytes; the load is unaligned.
        unsafe { _mm256_loadu_si256(lanes.as_ptr().cast()) }
    }

    /// 0xFF in each lane whose byte is odd, as the SSE2 step.
    #[target_feature(enable = "avx2")]
    fn step(here: __m256i, next: __m256i, high_ok: bool) -> __m256i {
        let space = _mm256_set1_epi8(b' ' as i8);
        let shifted = _mm256_add_epi8(here, _mm256_set1_epi8(0x60));
        let mut unprintable = _mm256_cmpgt_epi8(shifted, _mm256_set1_epi8(-34));
        if high_ok {
            let high = _mm256_cmpgt_epi8(_mm256_setzero_si256(), here);
            unprintable = _mm256_andnot_si256(high, unprintable);
        }
        let amp = _mm256_cmpeq_epi8(here, _mm256_set1_epi8(b'&' as i8));
        let lt = _mm256_cmpeq_epi8(here, _mm256_set1_epi8(b'<' as i8));
        let double = _mm256_and_si256(
            _mm256_cmpeq_epi8(here, space),
            _mm256_cmpeq_epi8(next, space),
        );
        _mm256_or_si256(
            _mm256_or_si256(unprintable, amp),
            _mm256_or_si256(lt, double),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{NormaliseOptions, Normaliser};
    use crate::repair::{RepairCounts, RepairOptions, repair_line};
    use proptest::prelude::*;

    /// What the slow path makes of a line: repair, then normalisation.
    fn slow_path(line: &str) -> String {
        let repaired = repair_line(
            line,
            &RepairOptions::default(),
            &mut RepairCounts::default(),
        );
        Normaliser::new(NormaliseOptions::default()).normalise(&repaired)
    }

    #[test]
    fn typography_lines() {
        for ok in [
            "Profits rose to £600m, the firm’s best year — so far.",
            "Café owners in Zürich said “enough”.",
            "Copyright © 2025 Example Media",
        ] {
            assert!(is_settled_typography(ok), "{ok:?}");
            assert_eq!(slow_path(ok), ok);
        }
        for not in [
            "donâ€™t",
            "cafÃ© society",
            "two  spaces £5",
            "a\u{a0}non-breaking space",
            "zero\u{200b}width",
            "close £€ together",
            "“Å’",
            "M&S sold £5m",
            "Ω is not on the list",
        ] {
            assert!(!is_settled_typography(not), "{not:?}");
        }
    }

    proptest! {
        /// A line the typography test accepts is one the slow path leaves
        /// as it is.
        #[test]
        fn typography_lines_are_left_alone(
            parts in proptest::collection::vec(
                prop::sample::select(vec![
                    "a", "Z", " ", "  ", ".", "5", "&", "<", "\t", "x", "word", "£", "€", "’",
                    "“", "”", "—", "–", "é", "ü", "Ã", "Â", "©", "·", "»", "½", "×", "\u{a0}",
                    "\u{80}", "Œ", "â", "™", "Ω", "\u{301}", "\u{200b}", "abcd", "ß",
                ]),
                0..20,
            )
        ) {
            let line: String = parts.concat();
            if is_settled_typography(&line) {
                prop_assert_eq!(slow_path(&line), line);
            }
        }
    }

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
        /// With non-ASCII bytes let through, the vectorised test still
        /// agrees with the definition for the ASCII ones.
        #[test]
        fn ascii_part_agrees_with_definition(
            line in proptest::collection::vec(
                prop_oneof![
                    8 => 0x61u8..0x7b,
                    2 => Just(b' '),
                    1 => prop::sample::select(vec![0x1f, 0x20, 0x26, 0x3c, 0x7e, 0x7f, 0x80, 0xc3, 0xff]),
                ],
                0..160,
            )
        ) {
            let want = line.iter().all(|&c| c >= 0x80 || ((0x20..0x7f).contains(&c) && c != b'&' && c != b'<'))
                && !line.windows(2).any(|w| w == b"  ");
            prop_assert_eq!(ascii_settled(&line, true), want, "{:?}", line);
        }

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
                0..160,
            )
        ) {
            prop_assert_eq!(is_settled(&line), settled_by_definition(&line), "{:?}", line);
        }
    }
}

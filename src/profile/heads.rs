//! The heads of a corpus model's keys as a table of bits: the gate that
//! spares most lines a whole template key.
//!
//! Under a profile every kept line needs corpus evidence, yet nearly every
//! line of a document is one the profile does not hold. A key's upper half
//! is made from the start of the line alone (see
//! [`crate::judge::KeyMaker::head`]), so a line whose head has no bit set
//! here cannot be in the model and needs no key. One bit per head (a
//! Bloom filter with one hash) at 32 bits per line lets about 3 % of the
//! other lines through; the table stays small enough for the cache (a
//! model of 20,000 lines takes 80 KB).

/// Bits set for the key heads of a set of lines.
#[derive(Debug, Clone)]
pub struct Heads {
    bits: Vec<u64>,
    /// A head's bit is its top `32 - shift` bits.
    shift: u32,
}

/// Bits of table per line held.
const BITS_PER_LINE: usize = 32;

/// The table's size bounds, in bits: one word at least, 16 MB at most.
const MIN_BITS: usize = 64;
const MAX_BITS: usize = 1 << 27;

impl Heads {
    /// The table for lines with these keys.
    pub fn new(keys: impl ExactSizeIterator<Item = u64>) -> Heads {
        let size = keys
            .len()
            .saturating_mul(BITS_PER_LINE)
            .next_power_of_two()
            .clamp(MIN_BITS, MAX_BITS);
        let mut heads = Heads {
            bits: vec![0; size / 64],
            shift: 32 - size.trailing_zeros(),
        };
        for key in keys {
            let bit = heads.bit(crate::judge::key_head(key));
            heads.bits[bit / 64] |= 1 << (bit % 64);
        }
        heads
    }

    /// The bit of a head: its top bits, as uniform as any of a hash.
    #[inline]
    fn bit(&self, head: u32) -> usize {
        (head >> self.shift) as usize
    }

    /// False when no line with this key head was added; true for every
    /// one that was, and for a few others.
    #[inline]
    pub fn may_hold(&self, head: u32) -> bool {
        let bit = self.bit(head);
        self.bits[bit / 64] >> (bit % 64) & 1 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::KeyMaker;

    /// A distinct word for each number (digits would all fold to `0`).
    fn word(mut i: usize) -> String {
        let mut w = String::new();
        loop {
            w.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                return w;
            }
        }
    }

    #[test]
    fn holds_every_head_added_and_few_others() {
        let mut k = KeyMaker::new();
        let held: Vec<String> = (0..1000)
            .map(|i| format!("Follow {} on social media for updates", word(i)))
            .collect();
        let keys: Vec<u64> = held.iter().map(|l| k.key(l)).collect();
        let heads = Heads::new(keys.iter().copied());
        for line in &held {
            assert!(heads.may_hold(k.head(line)), "{line}");
        }
        // Lines that begin otherwise: 1,000 heads in a table of 32,768
        // bits let about 3 % through.
        let others = (0..10_000)
            .filter(|&i| heads.may_hold(k.head(&format!("Paragraph {} of a story", word(i)))))
            .count();
        assert!(
            (100..600).contains(&others),
            "{others} of 10,000 other lines passed"
        );
    }

    #[test]
    fn an_empty_model_holds_nothing() {
        let heads = Heads::new(std::iter::empty());
        let mut k = KeyMaker::new();
        assert!(!heads.may_hold(k.head("Accept all cookies")));
    }
}

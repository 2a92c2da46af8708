//! Sketches kept per line: a 16-register HyperLogLog (how many distinct
//! values) and an 8-value MinHash of the set of documents holding the line
//! (how alike two lines' document sets are).
//!
//! Boilerplate recurs in varied surroundings; a syndicated paragraph recurs
//! with the same ones. Counting distinct surroundings exactly would need a
//! set per line; this sketch needs 16 bytes, merges by register-wise
//! maximum (commutative and associative, so profiles learned on shards
//! merge to exactly the profile of the union) and is accurate enough to
//! tell "one or two" from "one per document": with 16 registers the
//! standard error is about 26 %, and small counts use linear counting,
//! which is exact for one distinct value.

/// Registers in the sketch.
pub const REGISTERS: usize = 16;

/// A mergeable distinct-count sketch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sketch(pub [u8; REGISTERS]);

impl Sketch {
    /// Adds a (uniformly hashed) value.
    #[inline]
    pub fn insert(&mut self, hash: u64) {
        let idx = (hash & (REGISTERS as u64 - 1)) as usize;
        let rank = ((hash >> 4) | (1 << 59)).trailing_zeros() as u8 + 1;
        if rank > self.0[idx] {
            self.0[idx] = rank;
        }
    }

    /// Merges another sketch into this one.
    #[inline]
    pub fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = (*a).max(*b);
        }
    }

    /// Estimated number of distinct values inserted.
    pub fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let zeros = self.0.iter().filter(|&&r| r == 0).count();
        if zeros == REGISTERS {
            return 0.0;
        }
        let raw = {
            let sum: f64 = self.0.iter().map(|&r| 2f64.powi(-(r as i32))).sum();
            0.673 * m * m / sum
        };
        if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxhash_rust::xxh3::xxh3_64;

    fn sketch_of(n: u64) -> Sketch {
        let mut s = Sketch::default();
        for i in 0..n {
            s.insert(xxh3_64(&i.to_le_bytes()));
        }
        s
    }

    #[test]
    fn estimates_are_close() {
        assert_eq!(sketch_of(0).estimate(), 0.0);
        assert!((sketch_of(1).estimate() - 1.0).abs() < 0.1);
        for n in [5u64, 20, 100, 1000] {
            let e = sketch_of(n).estimate();
            assert!((e - n as f64).abs() < 0.6 * n as f64, "n {n} estimate {e}");
        }
    }

    #[test]
    fn repeated_values_count_once_and_merge_is_union() {
        let mut s = Sketch::default();
        for _ in 0..50 {
            s.insert(42);
        }
        assert!((s.estimate() - 1.0).abs() < 0.1);
        let mut a = sketch_of(10);
        let b = sketch_of(10);
        a.merge(&b);
        assert_eq!(a, b, "merging equal sets changes nothing");
    }
}

/// Values in a [`DocSet`] signature.
pub const MINHASHES: usize = 8;

/// A MinHash signature of the set of documents a line occurs in. Two lines
/// whose signatures agree in most places occur in (nearly) the same
/// documents: they travel together. Merges by element-wise minimum, which is
/// exact: the signature of a union is the minimum of the signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocSet(pub [u32; MINHASHES]);

impl Default for DocSet {
    fn default() -> Self {
        DocSet([u32::MAX; MINHASHES])
    }
}

impl DocSet {
    /// The per-document values for a document id.
    pub fn values_of(doc: u64) -> [u32; MINHASHES] {
        let mut v = [0u32; MINHASHES];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot =
                (xxhash_rust::xxh3::xxh3_64_with_seed(&doc.to_le_bytes(), i as u64) >> 32) as u32;
        }
        v
    }

    /// Adds a document, given its [`DocSet::values_of`].
    #[inline]
    pub fn insert(&mut self, values: &[u32; MINHASHES]) {
        for (a, b) in self.0.iter_mut().zip(values) {
            *a = (*a).min(*b);
        }
    }

    /// Merges another signature (set union).
    #[inline]
    pub fn merge(&mut self, other: &DocSet) {
        self.insert(&other.0);
    }

    /// How many of the values agree: an estimate of the Jaccard similarity
    /// of the two document sets, in eighths.
    pub fn agreement(&self, other: &DocSet) -> usize {
        self.0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count()
    }
}

#[cfg(test)]
mod docset_tests {
    use super::*;

    fn set(docs: std::ops::Range<u64>) -> DocSet {
        let mut s = DocSet::default();
        for d in docs {
            s.insert(&DocSet::values_of(d));
        }
        s
    }

    #[test]
    fn equal_sets_agree_and_different_sets_do_not() {
        assert_eq!(set(0..20).agreement(&set(0..20)), MINHASHES);
        assert!(set(0..20).agreement(&set(1000..1270)) <= 1);
        let mut a = set(0..10);
        a.merge(&set(10..20));
        assert_eq!(a, set(0..20), "merge is union");
    }
}

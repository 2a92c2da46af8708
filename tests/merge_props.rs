//! Property tests of profile merging, on the library: profiles learned on
//! the shards of a corpus, merged in any order and any tree shape, are the
//! profile learned on the whole corpus, and `merge_files` with `--shard`
//! style ranges splits that merge into parts that together are all of it.
//!
//! Documents are drawn from a small vocabulary plus a few recurring
//! "boilerplate" lines, so lines recur across documents and shards (the
//! case where a merge could go wrong); partitionings include empty shards
//! and one-document shards. Case counts are small so the file runs in a few
//! seconds in a debug build.

use decruft::profile::{Profile, ProfileBuilder, file};
use decruft::{Cleaner, Config, RuleSet, Worker};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

const WORDS: &[&str] = &[
    "storm", "coast", "homes", "were", "flooded", "council", "said", "river", "police", "the",
    "minister", "report", "school", "market", "night", "water",
];

/// Lines that recur across documents as a site's template would.
const BOILERPLATE: &[&str] = &[
    "Share this article on social media",
    "Sign up for our daily newsletter",
    "Copyright Example News Group all rights reserved",
    "Related topics: weather, local news",
    "Most read stories this week",
];

/// One compiled cleaner for every case (compiling the built-in rules is
/// slow in a debug build). A small window: a fresh worker zeroes it.
fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(|| {
        Cleaner::new(
            Config {
                window: 64 << 10,
                ..Config::default()
            },
            RuleSet::builtin(),
        )
    })
}

/// A line: boilerplate (often) or a sentence of vocabulary words, or blank.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(BOILERPLATE).prop_map(str::to_string),
        4 => prop::collection::vec(prop::sample::select(WORDS), 1..9).prop_map(|w| w.join(" ")),
        1 => Just(String::new()),
    ]
}

/// A document: 0 to 10 lines, now and then with CRLF line ends.
fn document() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(line(), 0..10), any::<bool>()).prop_map(|(lines, crlf)| {
        let eol = if crlf { "\r\n" } else { "\n" };
        lines
            .iter()
            .map(|l| format!("{l}{eol}"))
            .collect::<String>()
            .into_bytes()
    })
}

/// Learns documents in order into one profile, as `decruft learn` does.
fn learn<'a>(docs: impl IntoIterator<Item = &'a Vec<u8>>) -> Profile {
    let c = cleaner();
    let mut worker: Worker = c.worker();
    let mut builder = ProfileBuilder::new();
    for d in docs {
        worker
            .learn(d.as_slice(), &mut builder)
            .expect("in-memory learning");
    }
    builder.finish(c.learn_fingerprint())
}

/// Merges `parts` in a random tree: `picks` choose, step by step, which two
/// of the remaining profiles merge and in which argument order.
fn merge_tree(mut parts: Vec<Profile>, picks: &[(usize, usize, bool)]) -> Profile {
    let mut step = 0;
    while parts.len() > 1 {
        let (a, b, swap) = picks.get(step).copied().unwrap_or((0, 1, false));
        step += 1;
        let i = a % parts.len();
        let x = parts.swap_remove(i);
        let j = b % parts.len();
        let y = parts.swap_remove(j);
        let (mut left, right) = if swap { (y, x) } else { (x, y) };
        left.merge(&right).expect("same options");
        parts.push(left);
    }
    parts.pop().unwrap_or_default()
}

/// Shard profiles of `docs` split by `assign` into `shards` shards (some
/// possibly empty), learned each with its own worker.
fn shard_profiles(docs: &[Vec<u8>], assign: &[usize], shards: usize) -> Vec<Profile> {
    (0..shards)
        .map(|s| {
            learn(
                docs.iter()
                    .zip(assign)
                    .filter(|(_, a)| **a % shards == s)
                    .map(|(d, _)| d),
            )
        })
        .collect()
}

fn write_parts(dir: &std::path::Path, parts: &[Profile]) -> Vec<PathBuf> {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = dir.join(format!("{i:03}.profile"));
            std::fs::write(&path, file::to_bytes(p)).unwrap();
            path
        })
        .collect()
}

fn read(path: &std::path::Path) -> Profile {
    file::from_bytes(&std::fs::read(path).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any partitioning, merge order and tree shape gives the union's profile.
    #[test]
    fn merged_shards_equal_the_union(
        docs in prop::collection::vec(document(), 0..24),
        shards in 1usize..9,
        assign in prop::collection::vec(any::<usize>(), 24),
        picks in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 8),
    ) {
        let union = learn(&docs);
        let parts = shard_profiles(&docs, &assign, shards);
        prop_assert_eq!(parts.iter().map(|p| p.docs).sum::<u64>(), docs.len() as u64);
        let merged = merge_tree(parts, &picks);
        prop_assert_eq!(file::fingerprint(&merged), file::fingerprint(&union));
        prop_assert_eq!(file::to_bytes(&merged), file::to_bytes(&union));
    }

    /// One document per shard, plus empty shards, merged in a random tree.
    #[test]
    fn one_document_shards_and_empty_shards(
        docs in prop::collection::vec(document(), 1..12),
        empties in 0usize..4,
        picks in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 16),
    ) {
        let union = learn(&docs);
        let mut parts: Vec<Profile> = docs.iter().map(std::iter::once).map(learn).collect();
        parts.extend((0..empties).map(|_| learn(std::iter::empty())));
        let merged = merge_tree(parts, &picks);
        prop_assert_eq!(file::fingerprint(&merged), file::fingerprint(&union));
    }

    /// `merge_files` of the shard files is the union; its `--shard I/N`
    /// parts hold the same header totals and, concatenated in order, exactly
    /// the full merge's entries.
    #[test]
    fn file_merge_and_shard_ranges_partition_it(
        docs in prop::collection::vec(document(), 0..20),
        shards in 1usize..6,
        assign in prop::collection::vec(any::<usize>(), 20),
        n in 1u64..6,
    ) {
        let union = learn(&docs);
        let dir = tempfile::tempdir().unwrap();
        let inputs = write_parts(dir.path(), &shard_profiles(&docs, &assign, shards));
        let full = dir.path().join("all.profile");
        let header = file::merge_files(&inputs, &full, None).unwrap();
        prop_assert_eq!(header.docs, union.docs);
        prop_assert_eq!(header.entries, union.entries.len() as u64);
        prop_assert_eq!(file::fingerprint(&read(&full)), file::fingerprint(&union));
        let mut entries = Vec::new();
        for i in 0..n {
            let out = dir.path().join(format!("shard-{i}-of-{n}.profile"));
            let h = file::merge_files(&inputs, &out, Some((i, n))).unwrap();
            let part = read(&out);
            prop_assert_eq!(h.docs, union.docs);
            prop_assert_eq!(part.options, union.options);
            let (lo, hi) = file::shard_range(i, n);
            prop_assert!(part.entries.iter().all(|(k, _)| (lo..=hi).contains(k)));
            entries.extend(part.entries);
        }
        prop_assert_eq!(entries, union.entries);
    }
}

/// The generated corpus really has lines shared by many documents (so the
/// properties above exercise merging of equal keys, not only disjoint ones).
#[test]
fn boilerplate_lines_are_learned_across_documents() {
    let docs: Vec<Vec<u8>> = (0..10)
        .map(|i| {
            format!(
                "{}\nriver {i} night water storm\n{}\n",
                BOILERPLATE[0], BOILERPLATE[1]
            )
            .into_bytes()
        })
        .collect();
    let union = learn(&docs);
    assert_eq!(union.docs, 10);
    assert!(union.entries.iter().any(|(_, s)| s.docs == 10), "{union:?}");
    let halves = [learn(&docs[..3]), learn(&docs[3..])];
    let mut merged = halves[1].clone();
    merged.merge(&halves[0]).unwrap();
    assert_eq!(merged, union);
    // The empty profile learned under the same options is the identity.
    let mut with_empty = learn(std::iter::empty());
    with_empty.merge(&union).unwrap();
    assert_eq!(file::fingerprint(&with_empty), file::fingerprint(&union));
}

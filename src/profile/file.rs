//! Profile files: a versioned header and entries sorted by key.
//!
//! Layout (little-endian): magic `DCRFPROF`, format version (u32), entry
//! size (u32), learning-options fingerprint (u64), documents (u64), entry
//! count (u64); then per entry: key (u64), docs, head, tail (u32 each) and
//! the 8 × u32 MinHash signature of the line's documents. Sorting by key makes the bytes
//! canonical — equal profiles have equal files and fingerprints — and lets
//! [`merge_files`] stream a k-way merge in memory bounded by the number of
//! inputs, not their size.

use super::sketch::MINHASHES;
use super::{CorpusModel, CorpusOptions, DocSet, LineStats, Profile};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// First bytes of every profile file.
pub const MAGIC: &[u8; 8] = b"DCRFPROF";
/// Format version written by this build. Version 2 changed the line keys
/// (their upper half became the key head), so a version 1 profile's keys
/// mean nothing to this build.
pub const VERSION: u32 = 2;
/// Bytes of one entry.
pub const ENTRY: usize = 8 + 4 * 3 + 4 * MINHASHES;
/// Bytes of the header.
pub const HEADER: usize = 8 + 4 + 4 + 8 + 8 + 8;

/// A profile file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// I/O failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// Not a profile, or damaged.
    #[error("{0}")]
    Invalid(String),
}

/// The header fields of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Learning-options fingerprint.
    pub options: u64,
    /// Documents learned from.
    pub docs: u64,
    /// Entries that follow.
    pub entries: u64,
}

fn encode_header(h: &Header) -> [u8; HEADER] {
    let mut b = [0u8; HEADER];
    b[..8].copy_from_slice(MAGIC);
    b[8..12].copy_from_slice(&VERSION.to_le_bytes());
    b[12..16].copy_from_slice(&(ENTRY as u32).to_le_bytes());
    b[16..24].copy_from_slice(&h.options.to_le_bytes());
    b[24..32].copy_from_slice(&h.docs.to_le_bytes());
    b[32..40].copy_from_slice(&h.entries.to_le_bytes());
    b
}

fn encode_entry(key: u64, s: &LineStats) -> [u8; ENTRY] {
    let mut b = [0u8; ENTRY];
    b[..8].copy_from_slice(&key.to_le_bytes());
    b[8..12].copy_from_slice(&s.docs.to_le_bytes());
    b[12..16].copy_from_slice(&s.head.to_le_bytes());
    b[16..20].copy_from_slice(&s.tail.to_le_bytes());
    for (i, v) in s.docset.0.iter().enumerate() {
        b[20 + 4 * i..24 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    b
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

fn decode_entry(b: &[u8; ENTRY]) -> (u64, LineStats) {
    let mut docset = DocSet::default();
    for (i, v) in docset.0.iter_mut().enumerate() {
        *v = u32_at(b, 20 + 4 * i);
    }
    (
        u64_at(b, 0),
        LineStats {
            docs: u32_at(b, 8),
            head: u32_at(b, 12),
            tail: u32_at(b, 16),
            docset,
        },
    )
}

/// Writes a profile.
pub fn write_profile<W: Write>(p: &Profile, w: &mut W) -> io::Result<()> {
    write_entries(
        p.options,
        p.docs,
        p.entries.len(),
        p.entries.iter().copied(),
        w,
    )
}

/// Writes a profile file from entries given in key order.
pub fn write_entries<W: Write + ?Sized>(
    options: u64,
    docs: u64,
    count: usize,
    entries: impl Iterator<Item = (u64, LineStats)>,
    w: &mut W,
) -> io::Result<()> {
    w.write_all(&encode_header(&Header {
        options,
        docs,
        entries: count as u64,
    }))?;
    for (k, s) in entries {
        w.write_all(&encode_entry(k, &s))?;
    }
    Ok(())
}

/// The size in bytes of a profile's file.
pub fn encoded_len(p: &Profile) -> usize {
    HEADER + p.entries.len() * ENTRY
}

/// The canonical bytes of a profile.
pub fn to_bytes(p: &Profile) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER + p.entries.len() * ENTRY);
    write_profile(p, &mut v).expect("writing to a Vec cannot fail");
    v
}

/// A hash of a profile's canonical bytes.
pub fn fingerprint(p: &Profile) -> u64 {
    let mut h = Xxh3::new();
    h.update(&encode_header(&Header {
        options: p.options,
        docs: p.docs,
        entries: p.entries.len() as u64,
    }));
    for (k, s) in &p.entries {
        h.update(&encode_entry(*k, s));
    }
    h.digest()
}

/// Streams the entries of a profile file, checking order as it goes.
pub struct EntryReader<R> {
    reader: R,
    /// The file's header.
    pub header: Header,
    read: u64,
    last: Option<u64>,
}

impl<R: Read> EntryReader<R> {
    /// Reads and checks the header.
    pub fn new(mut reader: R) -> Result<Self, ProfileError> {
        let mut b = [0u8; HEADER];
        read_exact_or(&mut reader, &mut b, "file is shorter than a profile header")?;
        if &b[..8] != MAGIC {
            return Err(ProfileError::Invalid(
                "not a decruft profile (bad magic bytes)".into(),
            ));
        }
        let version = u32_at(&b, 8);
        if version != VERSION {
            return Err(ProfileError::Invalid(format!(
                "profile format version {version} is not supported (this decruft reads version \
                 {VERSION}; learn the profile again with this decruft)"
            )));
        }
        if u32_at(&b, 12) as usize != ENTRY {
            return Err(ProfileError::Invalid(
                "profile entry size does not match".into(),
            ));
        }
        Ok(EntryReader {
            reader,
            header: Header {
                options: u64_at(&b, 16),
                docs: u64_at(&b, 24),
                entries: u64_at(&b, 32),
            },
            read: 0,
            last: None,
        })
    }

    /// The next entry, or `None` after the last.
    pub fn next_entry(&mut self) -> Result<Option<(u64, LineStats)>, ProfileError> {
        if self.read == self.header.entries {
            let mut extra = [0u8; 1];
            return match self.reader.read(&mut extra)? {
                0 => Ok(None),
                _ => Err(ProfileError::Invalid(
                    "trailing bytes after the last entry".into(),
                )),
            };
        }
        let mut b = [0u8; ENTRY];
        read_exact_or(
            &mut self.reader,
            &mut b,
            &format!(
                "truncated: {} of {} entries present",
                self.read, self.header.entries
            ),
        )?;
        let e = decode_entry(&b);
        if self.last.is_some_and(|l| l >= e.0) {
            return Err(ProfileError::Invalid(format!(
                "entries out of order at entry {}",
                self.read + 1
            )));
        }
        self.last = Some(e.0);
        self.read += 1;
        Ok(Some(e))
    }
}

fn read_exact_or<R: Read>(r: &mut R, buf: &mut [u8], what: &str) -> Result<(), ProfileError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ProfileError::Invalid(what.to_string()),
        _ => ProfileError::Io(e),
    })
}

/// Reads a whole profile.
pub fn read_profile<R: Read>(r: R) -> Result<Profile, ProfileError> {
    let mut er = EntryReader::new(r)?;
    let mut entries = Vec::with_capacity(er.header.entries.min(1 << 24) as usize);
    while let Some(e) = er.next_entry()? {
        entries.push(e);
    }
    Ok(Profile {
        docs: er.header.docs,
        options: er.header.options,
        entries,
    })
}

/// Reads a profile from bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<Profile, ProfileError> {
    read_profile(bytes)
}

/// Loads a profile file for cleaning, keeping only lines that can reach the
/// threshold: memory follows the boilerplate, not the corpus.
pub fn load_model(path: &Path, opts: CorpusOptions) -> Result<(CorpusModel, Header), ProfileError> {
    let mut er = EntryReader::new(BufReader::with_capacity(1 << 20, File::open(path)?))?;
    let floor = opts.threshold(er.header.docs);
    let mut kept = Vec::new();
    while let Some(e) = er.next_entry()? {
        if e.1.docs >= floor {
            kept.push(e);
        }
    }
    Ok((CorpusModel::new(kept, er.header.docs, opts), er.header))
}

/// Merges profile files into `out` with a streaming k-way merge. With
/// `shard = Some((i, n))` only keys in the i-th of n equal hash ranges are
/// written, so n workers can share one large merge; the shards' entries
/// together are exactly the full merge's.
pub fn merge_files(
    inputs: &[PathBuf],
    out: &Path,
    shard: Option<(u64, u64)>,
) -> Result<Header, ProfileError> {
    let mut readers = Vec::with_capacity(inputs.len());
    for p in inputs {
        let file =
            File::open(p).map_err(|e| ProfileError::Invalid(format!("{}: {e}", p.display())))?;
        let r = EntryReader::new(BufReader::with_capacity(256 << 10, file))
            .map_err(|e| ProfileError::Invalid(format!("{}: {e}", p.display())))?;
        readers.push(r);
    }
    let options = readers.first().map_or(0, |r| r.header.options);
    if let Some((r, p)) = readers
        .iter()
        .zip(inputs)
        .find(|(r, _)| r.header.options != options)
    {
        let _ = r;
        return Err(ProfileError::Invalid(format!(
            "{}: learned with different options than {}; profiles only merge when learned alike",
            p.display(),
            inputs[0].display()
        )));
    }
    let docs: u64 = readers.iter().map(|r| r.header.docs).sum();
    let range = shard.map(|(i, n)| shard_range(i, n));
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    crate::batch::set_ordinary_mode(tmp.path());
    let mut count = 0u64;
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        w.write_all(&encode_header(&Header {
            options,
            docs,
            entries: 0,
        }))?;
        let mut heap = BinaryHeap::new();
        let mut current: Vec<Option<LineStats>> = vec![None; readers.len()];
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some((k, s)) = next_in(r, inputs, i, range)? {
                current[i] = Some(s);
                heap.push(Reverse((k, i)));
            }
        }
        while let Some(Reverse((key, i))) = heap.pop() {
            let mut stats = current[i].take().expect("entry present");
            advance(&mut readers, &mut current, &mut heap, inputs, i, range)?;
            while let Some(&Reverse((k2, j))) = heap.peek() {
                if k2 != key {
                    break;
                }
                heap.pop();
                stats.merge(&current[j].take().expect("entry present"));
                advance(&mut readers, &mut current, &mut heap, inputs, j, range)?;
            }
            w.write_all(&encode_entry(key, &stats))?;
            count += 1;
        }
        w.flush()?;
    }
    let file = tmp.as_file_mut();
    file.seek(SeekFrom::Start(0))?;
    let header = Header {
        options,
        docs,
        entries: count,
    };
    file.write_all(&encode_header(&header))?;
    file.sync_all()?;
    tmp.persist(out).map_err(|e| ProfileError::Io(e.error))?;
    Ok(header)
}

type Heap = BinaryHeap<Reverse<(u64, usize)>>;

fn advance<R: Read>(
    readers: &mut [EntryReader<R>],
    current: &mut [Option<LineStats>],
    heap: &mut Heap,
    inputs: &[PathBuf],
    i: usize,
    range: Option<(u64, u64)>,
) -> Result<(), ProfileError> {
    if let Some((k, s)) = next_in(&mut readers[i], inputs, i, range)? {
        current[i] = Some(s);
        heap.push(Reverse((k, i)));
    }
    Ok(())
}

fn next_in<R: Read>(
    r: &mut EntryReader<R>,
    inputs: &[PathBuf],
    i: usize,
    range: Option<(u64, u64)>,
) -> Result<Option<(u64, LineStats)>, ProfileError> {
    loop {
        let e = r
            .next_entry()
            .map_err(|e| ProfileError::Invalid(format!("{}: {e}", inputs[i].display())))?;
        match (e, range) {
            (Some((k, _)), Some((lo, hi))) if k < lo || k > hi => {
                if k > hi {
                    return Ok(None);
                }
            }
            (e, _) => return Ok(e),
        }
    }
}

/// The inclusive key range of shard `i` of `n`.
pub fn shard_range(i: u64, n: u64) -> (u64, u64) {
    let width = u64::MAX / n;
    let lo = i * width + i.min(u64::MAX % n);
    let hi = if i + 1 == n {
        u64::MAX
    } else {
        lo + width - 1 + u64::from(i < u64::MAX % n)
    };
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seed: u64, n: u64) -> Profile {
        let mut b = super::super::ProfileBuilder::new();
        b.docs = n;
        for i in 0..n {
            let k = xxhash_rust::xxh3::xxh3_64(&(i % 7 + seed).to_le_bytes());
            let e = b.entry(k);
            e.docs += 1;
            e.head += (i % 2) as u32;
            e.docset.insert(&DocSet::values_of(i));
        }
        b.finish(99)
    }

    #[test]
    fn round_trip_and_fingerprint() {
        let p = sample(0, 20);
        let bytes = to_bytes(&p);
        let q = from_bytes(&bytes).unwrap();
        assert_eq!(p, q);
        assert_eq!(fingerprint(&p), fingerprint(&q));
        assert_eq!(fingerprint(&p), xxhash_rust::xxh3::xxh3_64(&bytes));
    }

    #[test]
    fn damaged_files_are_clear_errors() {
        let bytes = to_bytes(&sample(0, 20));
        let err = |b: &[u8]| from_bytes(b).unwrap_err().to_string();
        assert!(err(b"hello").contains("shorter than a profile header"));
        assert!(err(&[b"XXXXXXXX", &bytes[8..]].concat()).contains("not a decruft profile"));
        assert!(err(&bytes[..bytes.len() - 5]).contains("truncated"));
        let mut v = bytes.clone();
        v[8] = 9;
        assert!(err(&v).contains("version 9"));
        // Profiles of the first format hold keys of another definition.
        v[8] = 1;
        assert!(err(&v).contains("version 1 is not supported"));
        assert!(err(&v).contains("learn the profile again"));
    }

    #[test]
    fn file_merge_equals_in_memory_merge_and_shards_partition_it() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (sample(0, 30), sample(3, 25));
        let pa = dir.path().join("a.profile");
        let pb = dir.path().join("b.profile");
        std::fs::write(&pa, to_bytes(&a)).unwrap();
        std::fs::write(&pb, to_bytes(&b)).unwrap();
        let out = dir.path().join("all.profile");
        merge_files(&[pa.clone(), pb.clone()], &out, None).unwrap();
        let mut want = a.clone();
        want.merge(&b).unwrap();
        let got = read_profile(File::open(&out).unwrap()).unwrap();
        assert_eq!(got, want);
        let mut parts = Vec::new();
        for i in 0..3 {
            let o = dir.path().join(format!("s{i}"));
            merge_files(&[pa.clone(), pb.clone()], &o, Some((i, 3))).unwrap();
            parts.extend(read_profile(File::open(&o).unwrap()).unwrap().entries);
        }
        assert_eq!(parts, want.entries);
    }

    #[test]
    fn shard_ranges_cover_all_keys() {
        for n in [1u64, 2, 3, 7] {
            let mut next = 0u64;
            for i in 0..n {
                let (lo, hi) = shard_range(i, n);
                assert_eq!(lo, next);
                next = hi.wrapping_add(1);
            }
            assert_eq!(next, 0, "last shard ends at u64::MAX");
        }
    }
}

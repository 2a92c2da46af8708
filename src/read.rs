//! Read stage: opens an input (a file or standard input) and undoes its
//! compression, so every later stage sees plain bytes.
//!
//! Why a module of its own: scraped dumps arrive gzip- or zstd-compressed
//! far more often than not (Common Crawl's `.warc.wet.gz`, Hugging Face's
//! `.jsonl.zst`), and users pipe them in (`zcat` is an extra process and an
//! extra copy). Compression is recognised by its magic bytes, never by the
//! file name, so a mislabelled file and standard input work the same:
//!
//! | magic | codec | decoder |
//! |---|---|---|
//! | `1f 8b` | gzip | [`flate2::read::MultiGzDecoder`]: every member of a multi-member file (Common Crawl writes one member per record) |
//! | `28 b5 2f fd` | zstd | [`zstd::stream::read::Decoder`]: every frame |
//! | `BZh`, `fd 37 7a 58 5a 00` | bzip2, xz | refused with a message naming the tool that decompresses them |
//!
//! bzip2 and xz are refused rather than read: their Rust crates wrap C
//! libraries that the build would have to compile or find, and neither
//! format is common in web dumps. Peeking at the magic reads at most six
//! bytes, which are then replayed in front of the rest; nothing is copied.
//!
//! A damaged or truncated compressed stream is an error that names the
//! codec ("gzip data is truncated or corrupt"), so the batch driver reports
//! `path: gzip data is truncated or corrupt` and goes on with other files.
//!
//! The same [`Compression`] also compresses output ([`Encoder`]): `-o DIR`
//! keeps each input's compression, `--compress` overrides it. Keeping both
//! directions in one place keeps the list of codecs in one place.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Size of the buffer in front of the (decompressed) input.
const BUF_SIZE: usize = 256 << 10;

/// A compression codec of an input or an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Not compressed.
    #[default]
    None,
    /// gzip (RFC 1952), one or more members.
    Gzip,
    /// Zstandard, one or more frames.
    Zstd,
}

impl Compression {
    /// The codec whose magic bytes start `prefix`, or an error for a codec
    /// that is recognised but not supported.
    pub fn detect(prefix: &[u8]) -> io::Result<Compression> {
        if prefix.starts_with(&[0x1f, 0x8b]) {
            Ok(Compression::Gzip)
        } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Ok(Compression::Zstd)
        } else if prefix.starts_with(b"BZh") && prefix.len() >= 4 && prefix[3].is_ascii_digit() {
            Err(io::Error::other(
                "bzip2-compressed input is not supported; decompress it first (bzip2 -dc FILE | decruft)",
            ))
        } else if prefix.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Err(io::Error::other(
                "xz-compressed input is not supported; decompress it first (xz -dc FILE | decruft)",
            ))
        } else {
            Ok(Compression::None)
        }
    }

    /// The codec a `--compress` value names.
    pub fn from_name(name: &str) -> Option<Compression> {
        match name {
            "none" => Some(Compression::None),
            "gzip" | "gz" => Some(Compression::Gzip),
            "zstd" | "zst" => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// The file-name suffix of the codec, with its dot (`""` for none).
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }

    /// The codec a file name's suffix announces.
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz" | "gzip") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// `path` renamed for output in this codec: a known compression suffix
    /// is replaced (`a.jsonl.gz` → `a.jsonl.zst`, or `a.jsonl` for none).
    pub fn rename(self, path: &Path) -> PathBuf {
        let base = match Compression::from_path(path) {
            Compression::None => path.to_path_buf(),
            _ => path.with_extension(""),
        };
        let mut s = base.into_os_string();
        s.push(self.suffix());
        PathBuf::from(s)
    }

    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// An opened input: decompressed bytes behind a buffer.
pub struct Input {
    /// The plain bytes.
    pub reader: Box<dyn BufRead + Send>,
    /// The codec the input was compressed with.
    pub compression: Compression,
}

/// Opens a file (`None`: standard input) and undoes its compression.
pub fn open(path: Option<&Path>) -> io::Result<Input> {
    let raw: Box<dyn Read + Send> = match path {
        None => Box::new(io::stdin()),
        Some(p) => {
            if fs::metadata(p)?.is_dir() {
                return Err(io::Error::other("is a folder"));
            }
            Box::new(File::open(p)?)
        }
    };
    decompress(raw)
}

/// Undoes the compression of any byte stream, found by its magic bytes.
pub fn decompress(mut raw: Box<dyn Read + Send>) -> io::Result<Input> {
    let mut magic = [0u8; 6];
    let mut n = 0;
    while n < magic.len() {
        match raw.read(&mut magic[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let compression = Compression::detect(&magic[..n])?;
    if compression == Compression::None {
        return Ok(Input {
            reader: Box::new(Passthrough::new(&magic[..n], raw)),
            compression,
        });
    }
    let replay = io::Cursor::new(magic[..n].to_vec()).chain(raw);
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => unreachable!("returned above"),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            Named {
                inner: flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                    BUF_SIZE, replay,
                )),
                codec: "gzip",
            },
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            Named {
                inner: zstd::stream::read::Decoder::new(replay)?,
                codec: "zstd",
            },
        )),
    };
    Ok(Input {
        reader,
        compression,
    })
}

/// Reads at least this large go straight to an uncompressed input once its
/// buffer is drained.
const PASS_MIN: usize = 8 << 10;

/// The buffer in front of an uncompressed input. Unlike [`BufReader`],
/// which copies every read smaller than its whole buffer through that
/// buffer, a read of [`PASS_MIN`] bytes or more goes straight to the input
/// as soon as the buffer is drained. The decoder reads windows of 256 KiB
/// into buffers of its own, so with a `BufReader` of 256 KiB in front (the
/// magic bytes left in it, and a read of a window's rest being a little
/// short of 256 KiB) nearly every byte of a plain input was copied once
/// more than it needs to be. The buffer still serves [`BufRead`] (format
/// sniffing, JSONL lines) in blocks of up to [`BUF_SIZE`].
struct Passthrough {
    inner: Box<dyn Read + Send>,
    /// `buf[pos..filled]` is read and not yet handed out; allocated when
    /// first needed beyond the magic bytes.
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

impl Passthrough {
    /// A reader that yields `prefix` (bytes already read from `inner`),
    /// then the rest of `inner`.
    fn new(prefix: &[u8], inner: Box<dyn Read + Send>) -> Passthrough {
        Passthrough {
            inner,
            buf: prefix.to_vec(),
            pos: 0,
            filled: prefix.len(),
        }
    }
}

impl Read for Passthrough {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.filled && dst.len() >= PASS_MIN {
            return self.inner.read(dst);
        }
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(dst.len());
            dst[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Passthrough {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            // The buffer starts small and doubles while reads fill it, so
            // that a small file (or one only sniffed) does not pay for
            // zeroing a whole block.
            let size = if self.buf.len() < PASS_MIN {
                PASS_MIN
            } else if self.filled == self.buf.len() {
                (2 * self.buf.len()).min(BUF_SIZE)
            } else {
                self.buf.len()
            };
            self.buf.resize(size, 0);
            self.filled = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

/// Renames a decoder's errors so the message says what is wrong with the
/// file ("gzip data is truncated or corrupt") rather than "unexpected end
/// of file". Errors of the underlying file pass through unchanged.
struct Named<R> {
    inner: R,
    codec: &'static str,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} data is truncated (the file ends inside a compressed block)",
                    self.codec
                ),
            ),
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} data is corrupt: {e}", self.codec),
                )
            }
            _ => e,
        })
    }
}

/// A writer that compresses what it is given in one codec. Call
/// [`Encoder::finish`] to write the codec's trailer.
pub enum Encoder<W: Write> {
    /// Passes bytes through.
    Plain(W),
    /// gzip, default level (6).
    Gzip(flate2::write::GzEncoder<W>),
    /// zstd, default level (3).
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    /// Starts compressing into `inner`.
    pub fn new(inner: W, compression: Compression) -> io::Result<Encoder<W>> {
        Ok(match compression {
            Compression::None => Encoder::Plain(inner),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                inner,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(inner, 0)?),
        })
    }

    /// Writes the trailer and hands back the inner writer.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(w) => Ok(w),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.write_all(buf),
            Encoder::Gzip(e) => e.write_all(buf),
            Encoder::Zstd(e) => e.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            // Flushing a compressor mid-stream emits a sync block and costs
            // ratio; the inner writer is flushed by `finish`'s caller.
            Encoder::Gzip(_) | Encoder::Zstd(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(c: Compression, data: &[u8]) -> Vec<u8> {
        let mut enc = Encoder::new(Vec::new(), c).unwrap();
        enc.write_all(data).unwrap();
        let packed = enc.finish().unwrap();
        let mut input = decompress(Box::new(io::Cursor::new(packed))).unwrap();
        assert_eq!(input.compression, c);
        let mut out = Vec::new();
        input.reader.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn codecs_round_trip() {
        for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
            assert_eq!(roundtrip(c, b"hello\nworld\n"), b"hello\nworld\n");
            assert_eq!(roundtrip(c, b""), b"");
            assert_eq!(roundtrip(c, b"a"), b"a");
        }
    }

    /// A reader that reports the size of every read it is asked for.
    struct Recording<'a> {
        data: &'a [u8],
        asked: std::sync::Arc<std::sync::Mutex<Vec<usize>>>,
    }
    impl Read for Recording<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.asked.lock().unwrap().push(out.len());
            let n = out.len().min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn plain_input_is_read_straight_into_large_buffers() {
        let data: &'static [u8] = Box::leak(vec![b'x'; 1 << 20].into_boxed_slice());
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let raw = Recording {
            data,
            asked: asked.clone(),
        };
        let mut input = decompress(Box::new(raw)).unwrap();
        // Sniffing buffers a block; reading on drains it, then goes direct.
        assert_eq!(input.reader.fill_buf().unwrap(), b"xxxxxx");
        let mut got = Vec::new();
        let mut window = vec![0; 100 << 10];
        loop {
            let n = input.reader.read(&mut window).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&window[..n]);
        }
        assert_eq!(got, data);
        // The magic bytes, then every read goes to the input at the size
        // the caller asked for: none through a buffer of BUF_SIZE.
        let asked = asked.lock().unwrap();
        assert_eq!(asked[0], 6, "{asked:?}");
        assert!(asked[1..].iter().all(|&n| n == 100 << 10), "{asked:?}");

        // Line by line (JSONL), the buffer serves.
        let text = b"{\"text\": \"a\"}\n{\"text\": \"b\"}\n".repeat(1000);
        let mut input = decompress(Box::new(io::Cursor::new(text.clone()))).unwrap();
        let (mut line, mut lines) = (Vec::new(), 0);
        while input.reader.read_until(b'\n', &mut line).unwrap() > 0 {
            lines += 1;
        }
        assert_eq!((lines, line), (2000, text));
    }

    #[test]
    fn renames() {
        let p = Path::new("d/a.jsonl.gz");
        assert_eq!(Compression::Zstd.rename(p), Path::new("d/a.jsonl.zst"));
        assert_eq!(Compression::None.rename(p), Path::new("d/a.jsonl"));
        assert_eq!(
            Compression::Gzip.rename(Path::new("a.txt")),
            Path::new("a.txt.gz")
        );
    }

    #[test]
    fn unsupported_codecs_are_named() {
        let e = Compression::detect(b"BZh91AY").unwrap_err();
        assert!(e.to_string().contains("bzip2"));
        let e = Compression::detect(&[0xfd, b'7', b'z', b'X', b'Z', 0]).unwrap_err();
        assert!(e.to_string().contains("xz"));
    }
}

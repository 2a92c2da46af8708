//! Line keys: a 64-bit fingerprint of a line's *template*.
//!
//! Recurrence across a corpus compares lines by key, so that template
//! variants meet: case is folded, every run of digits becomes one `0`,
//! English month and weekday names (full or three-letter) become `§`,
//! punctuation and symbols are dropped and whitespace is folded. "Updated
//! 14:02 GMT, Mon 3 March" and "updated 09:15 gmt, Fri 11 Apr" share a
//! key. Keys are made of xxh3 hashes, stable across platforms and
//! releases, so they can be written into profiles; only the hash is kept,
//! never the text.
//!
//! A key's upper half hashes the template's first [`HEAD_BYTES`] bytes
//! and its lower half the whole template. The head can be made from the
//! start of a line alone, so a corpus model turns down most lines of a
//! document after a block of each; only lines whose head it holds get a
//! whole key. Two templates that share their first bytes are told apart
//! by 32 bits; any others by 64.
//!
//! Learning gives every kept line a key, and a profile every line whose
//! head it holds, so the template is made 64 bytes at a time from bit
//! masks of the bytes' classes, a word at a time rather than a byte at a
//! time. Counted by callgrind on 20 MB of
//! generated dirty news with a profile, this costs 11.4 instructions per
//! byte, against 24.6 for the byte-by-byte walk it replaced; text with
//! many non-ASCII characters costs about what it did, as they still go one
//! by one through `char`'s Unicode tables.

use xxhash_rust::xxh3::xxh3_64;

/// Computes line keys, reusing one scratch buffer.
#[derive(Debug, Default)]
pub struct KeyMaker {
    /// Sized for the worst case of the longest line yet, and never cleared:
    /// zeroing it for every line cost nearly an instruction per byte of
    /// text. The template is `scratch[..len]`.
    scratch: Vec<u8>,
    len: usize,
    words: u32,
}

/// Month and weekday names, whole and abbreviated, lower-case.
const DATE_NAMES: [&[u8]; 41] = [
    b"jan",
    b"january",
    b"feb",
    b"february",
    b"mar",
    b"march",
    b"apr",
    b"april",
    b"may",
    b"jun",
    b"june",
    b"jul",
    b"july",
    b"aug",
    b"august",
    b"sep",
    b"sept",
    b"september",
    b"oct",
    b"october",
    b"nov",
    b"november",
    b"dec",
    b"december",
    b"mon",
    b"monday",
    b"tue",
    b"tues",
    b"tuesday",
    b"wed",
    b"wednesday",
    b"thu",
    b"thur",
    b"thurs",
    b"thursday",
    b"fri",
    b"friday",
    b"sat",
    b"saturday",
    b"sun",
    b"sunday",
];

/// The names that share a first three letters: every one of them is a
/// beginning of the longest, so the longest and a set of lengths say
/// them all.
#[derive(Clone, Copy)]
struct DateSlot {
    /// The first three letters, little-endian; 0 in an empty slot.
    prefix: u32,
    /// Bit `n` set when the first `n` letters of `name` are a name.
    lengths: u32,
    name: &'static [u8],
}

/// The first three bytes of a word, as [`DateSlot::prefix`].
#[inline(always)]
const fn prefix(a: u8, b: u8, c: u8) -> u32 {
    a as u32 | (b as u32) << 8 | (c as u32) << 16
}

/// The slot of a prefix: a multiplier found by search sends the 19
/// prefixes to 19 different slots of 32 (checked when the table is built).
#[inline(always)]
const fn date_slot(prefix: u32) -> usize {
    (prefix.wrapping_mul(0x3aed5) >> 27) as usize
}

/// [`DATE_NAMES`] by slot, built at compile time.
const DATE_SLOTS: [DateSlot; 32] = {
    let mut slots = [DateSlot {
        prefix: 0,
        lengths: 0,
        name: b"",
    }; 32];
    let mut i = 0;
    while i < DATE_NAMES.len() {
        let name = DATE_NAMES[i];
        let p = prefix(name[0], name[1], name[2]);
        let slot = &mut slots[date_slot(p)];
        assert!(
            slot.prefix == 0 || slot.prefix == p,
            "two prefixes share a slot"
        );
        // Keep the longest, and check that the shorter is its beginning.
        let (short, long) = if name.len() > slot.name.len() {
            (slot.name, name)
        } else {
            (name, slot.name)
        };
        let mut j = 0;
        while j < short.len() {
            assert!(short[j] == long[j], "a name is not a beginning of another");
            j += 1;
        }
        *slot = DateSlot {
            prefix: p,
            lengths: slot.lengths | 1 << name.len(),
            name: long,
        };
        i += 1;
    }
    slots
};

/// The prefixes of [`DATE_SLOTS`] alone, for the first test.
const DATE_PREFIXES: [u32; 32] = {
    let mut prefixes = [0; 32];
    let mut i = 0;
    while i < 32 {
        prefixes[i] = DATE_SLOTS[i].prefix;
        i += 1;
    }
    prefixes
};

/// True when `w` is one of [`DATE_NAMES`]. This runs at the end of every
/// word, so one multiply and one table look-up turn down nearly all of
/// them; only a word that begins like a name and has the length of one
/// is compared.
#[inline(always)]
fn is_date_name(w: &[u8]) -> bool {
    let &[a, b, c, ..] = w else {
        return false;
    };
    if w.len() > 9 {
        return false;
    }
    let p = prefix(a, b, c);
    let slot = &DATE_SLOTS[date_slot(p)];
    slot.prefix == p && slot.lengths >> w.len() & 1 != 0 && slot.name.starts_with(w)
}

/// Bytes of a template that make the [`KeyMaker::head`] of its key.
/// Long enough that few lines of prose begin like a line of boilerplate,
/// short enough that the head costs a block of the line.
pub const HEAD_BYTES: usize = 24;

/// Bytes of the line an ASCII block covers while a head is made: a few
/// words, most often enough for [`HEAD_BYTES`] of template at once.
const HEAD_SPAN: usize = 40;

/// The head of a template (or of its beginning, when that holds at least
/// [`HEAD_BYTES`] bytes): the upper half of the xxh3 of its first bytes.
#[inline]
fn head_of(template: &[u8]) -> u32 {
    (xxh3_64(&template[..template.len().min(HEAD_BYTES)]) >> 32) as u32
}

/// The [`KeyMaker::head`] part of a key.
#[inline]
pub fn key_head(key: u64) -> u32 {
    (key >> 32) as u32
}

/// Bytes classified at a time: one bit per byte in a `u64`.
const BLOCK: usize = 64;

/// A block and the 16 bytes after it, so that a run of letters ending
/// anywhere in the block can be copied 16 bytes at a time.
type BlockBuf = [u8; BLOCK + 16];

/// The part of the buffer a block of ASCII is written into: a byte for
/// each of the block's, and 16 for the last piece of letters copied.
const WINDOW: usize = BLOCK + 16;

/// Room kept after the worst-case template, for a window at its end.
const SLACK: usize = WINDOW;

/// What each byte of a block is to a template, one bit per byte. As
/// classified, bits past the end of the line may be set; [`Classes::below`]
/// clears them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Classes {
    /// ASCII letters.
    letter: u64,
    /// ASCII digits.
    digit: u64,
    /// ASCII whitespace, as `u8::is_ascii_whitespace` has it.
    space: u64,
    /// Bytes of non-ASCII characters, which take the `char` path.
    high: u64,
    /// Every other ASCII byte: punctuation, symbols, controls.
    other: u64,
}

impl Classes {
    #[inline(always)]
    fn new(letter: u64, digit: u64, space: u64, high: u64) -> Self {
        Classes {
            letter,
            digit,
            space,
            high,
            other: !(letter | digit | space | high),
        }
    }

    /// The masks of the first `n` bytes only.
    #[inline(always)]
    fn below(&self, n: usize) -> Self {
        let keep = below(n);
        Classes {
            letter: self.letter & keep,
            digit: self.digit & keep,
            space: self.space & keep,
            high: self.high & keep,
            other: self.other & keep,
        }
    }
}

/// The bits below `n`, for `n` in 0..=64.
#[inline(always)]
fn below(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - n as u32).unwrap_or(0)
}

/// Classifies the first `valid` bytes of `block`.
#[inline(always)]
fn classify(block: &BlockBuf, valid: usize) -> Classes {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::classify(block, valid)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_scalar(block, valid)
    }
}

/// [`classify`] byte by byte: the definition the vectorised one must equal,
/// and the path on targets without it.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn classify_scalar(block: &BlockBuf, valid: usize) -> Classes {
    let (mut letter, mut digit, mut space, mut high) = (0u64, 0u64, 0u64, 0u64);
    for (i, &b) in block[..valid.min(BLOCK)].iter().enumerate() {
        letter |= u64::from(b.is_ascii_alphabetic()) << i;
        digit |= u64::from(b.is_ascii_digit()) << i;
        space |= u64::from(b.is_ascii_whitespace()) << i;
        high |= u64::from(b >= 0x80) << i;
    }
    Classes::new(letter, digit, space, high)
}

/// The positions whose nearest byte before them, not counting `skip`
/// bytes, is in `marks`; bit 0 among them when `carry` says so of the
/// bytes before the block. Adding a run's first bit to a mask carries
/// through the run to the bit after it, so `skip + seeds` marks the byte
/// after each run of skipped bytes that follows a mark.
#[inline(always)]
fn after(marks: u64, carry: bool, skip: u64) -> u64 {
    let seeds = marks << 1 | u64::from(carry);
    (seeds | skip.wrapping_add(seeds & skip)) & !skip
}

/// The gate of [`is_date_name`] for the `n` ASCII letters at
/// `block[at..]`, read from the block itself: false for nearly every
/// word, true for every date name.
#[inline(always)]
fn may_be_date_name(block: &BlockBuf, at: usize, n: usize) -> bool {
    let Some(&four) = block.get(at..).and_then(<[u8]>::first_chunk::<4>) else {
        return false;
    };
    // Three letters, lower-cased.
    let p = u32::from_le_bytes(four) & 0x00ff_ffff | 0x0020_2020;
    DATE_PREFIXES[date_slot(p)] == p && (3..=9).contains(&n)
}

/// The pieces after the first of a run of more than 16 letters, copied
/// from `block[at..]` to `out[to..]`.
#[cold]
fn copy_long_letters(out: &mut [u8], to: usize, block: &BlockBuf, at: usize, n: usize) {
    for k in (16..n).step_by(16) {
        let to: &mut [u8; 16] = (&mut out[to + k..to + k + 16])
            .try_into()
            .expect("16 bytes");
        let from: &[u8; 16] = block[at + k..at + k + 16].try_into().expect("16 bytes");
        *to = from.map(|b| b | 0x20);
    }
}

/// A template being written into a buffer sized for the worst case, with
/// the state of the walk that writes it.
struct Template<'b> {
    buf: &'b mut [u8],
    len: usize,
    words: u32,
    /// A space is owed before the next token. Only ever set once the
    /// template has begun, so it can be paid without looking at `len`.
    pending_space: bool,
    /// The last digit, letter or space was a digit: a number goes on.
    in_digits: bool,
    /// Start of the word being written ([`NO_WORD`] if none), to fold
    /// date names when it ends.
    word: usize,
}

/// No word is being written.
const NO_WORD: usize = usize::MAX;

impl Template<'_> {
    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// How much of the template is final: all of it but a word being
    /// written, which may yet turn out to be a date name.
    #[inline(always)]
    fn done_up_to(&self) -> usize {
        if self.word == NO_WORD {
            self.len
        } else {
            self.word
        }
    }

    /// Appends the `n` ASCII letters at `block[at..]`, lower-cased.
    /// Copies whole 16-byte pieces (setting bit 5 lower-cases a letter,
    /// and what lies past the run is written over or cut off later), so a
    /// word costs one load and one store rather than a loop per byte.
    #[inline(always)]
    fn push_letters(&mut self, block: &BlockBuf, at: usize, n: usize) {
        let (Some(to), Some(from)) = (
            self.buf
                .get_mut(self.len..)
                .and_then(<[u8]>::first_chunk_mut::<16>),
            block.get(at..).and_then(<[u8]>::first_chunk::<16>),
        ) else {
            unreachable!("the block and the buffer have 16 bytes to spare")
        };
        *to = from.map(|b| b | 0x20);
        if n > 16 {
            copy_long_letters(self.buf, self.len, block, at, n);
        }
        self.len += n;
    }

    /// Writes the space owed before the next token, if one is. The byte is
    /// stored either way and kept only when owed: no branch to mispredict.
    #[inline(always)]
    fn space(&mut self) {
        self.buf[self.len] = b' ';
        self.len += usize::from(self.pending_space);
        self.pending_space = false;
    }

    /// A space is owed before the next token, unless at the start.
    #[inline(always)]
    fn owe_space(&mut self) {
        self.pending_space = self.len > 0;
    }

    /// A letter: starts a word unless one is being written.
    #[inline(always)]
    fn letter(&mut self) {
        self.in_digits = false;
        if self.word == NO_WORD {
            self.space();
            self.word = self.len;
        }
    }

    /// A digit: one `0` for the whole number.
    #[inline(always)]
    fn digit(&mut self) {
        if !self.in_digits {
            self.space();
            self.push(b"0");
        }
        self.in_digits = true;
    }

    /// Ends the word being written, if any.
    #[inline(always)]
    fn close_word(&mut self) {
        if self.word != NO_WORD {
            self.end_word(self.word);
            self.word = NO_WORD;
        }
    }

    /// Replaces the word at `start..` by `§` when it names a month or a
    /// day, else counts it. Runs at the end of every word: always inlined.
    #[inline(always)]
    fn end_word(&mut self, start: usize) {
        if is_date_name(&self.buf[start..self.len]) {
            self.len = start;
            self.push("§".as_bytes());
        } else {
            self.words += 1;
        }
    }

    /// Writes a block of ASCII bytes (nearly every block of English
    /// text) in which every word ends, token by token: the starts of words
    /// and numbers, and which of them owe a space, come from the masks at
    /// once, so gaps cost nothing and a word costs the same whatever its
    /// length.
    #[inline(always)]
    fn ascii_block(&mut self, block: &BlockBuf, class: &Classes) {
        let Classes {
            letter,
            digit,
            space,
            other,
            ..
        } = *class;
        // A word left open by a block with non-ASCII characters goes on
        // through the letters this one starts with.
        let mut open = 0;
        if self.word != NO_WORD {
            let end = (!letter).trailing_zeros() as usize;
            self.push_letters(block, 0, end);
            self.close_word();
            open = 1;
        }
        let words = letter & !(letter << 1 | open);
        // A digit starts a number unless the last digit, letter or space
        // before it was a digit: punctuation does not end a number
        // ("14:02" is one).
        let numbers = digit & !after(digit, self.in_digits, other);
        let mut tokens = words | numbers;
        // A token owes a space when a space came after the last token; the
        // line's first token owes none.
        let mut owed = tokens & after(space, self.pending_space, !(space | tokens));
        if self.len == 0 {
            owed &= !(tokens & tokens.wrapping_neg());
        }
        // The block is written into a window of the buffer, with a count
        // kept in a register. Every byte written stands for a byte of the
        // block (a letter, a number's first digit, a space, three letters
        // of a name), so the window never fills.
        let Some(out) = self
            .buf
            .get_mut(self.len..)
            .and_then(<[u8]>::first_chunk_mut::<WINDOW>)
        else {
            unreachable!("the buffer has a window's room to spare")
        };
        let (mut len, mut counted) = (0, 0);
        while tokens != 0 {
            let at = tokens.trailing_zeros() as usize;
            tokens &= tokens - 1;
            out[len] = b' ';
            len += (owed >> at & 1) as usize;
            if letter >> at & 1 == 0 {
                out[len] = b'0';
                len += 1;
                continue;
            }
            // The block's last letter is followed by a byte that is not
            // one, or by the block's end short of 64 bytes.
            let n = (!letter >> at).trailing_zeros() as usize;
            let (Some(to), Some(from)) = (
                out.get_mut(len..).and_then(<[u8]>::first_chunk_mut::<16>),
                block.get(at..).and_then(<[u8]>::first_chunk::<16>),
            ) else {
                unreachable!("the window and the block have 16 bytes to spare")
            };
            *to = from.map(|b| b | 0x20);
            if n > 16 {
                copy_long_letters(out, len, block, at, n);
            }
            if may_be_date_name(block, at, n) && is_date_name(&out[len..len + n]) {
                out[len..len + 2].copy_from_slice("§".as_bytes());
                len += 2;
            } else {
                len += n;
                counted += 1;
            }
        }
        self.len += len;
        self.words += counted;
        // What is owed after the block: the last space or token decides,
        // and the last digit, letter or space.
        let marks = space | words | numbers;
        if marks != 0 {
            self.pending_space = space >> (63 - marks.leading_zeros()) & 1 != 0 && self.len > 0;
        }
        let marks = letter | digit | space;
        if marks != 0 {
            self.in_digits = digit >> (63 - marks.leading_zeros()) & 1 != 0;
        }
    }

    /// Writes a block that holds non-ASCII characters, from one change of
    /// class to the next: a run of letters is copied, a number's run (with
    /// the punctuation in and after it) becomes one `0`, a run of spaces
    /// and punctuation owes at most one space; a non-ASCII character goes
    /// alone. Returns how far the walk went, past the block's end when a
    /// character straddles it.
    ///
    /// Never inlined: the calls into the Unicode tables would make the
    /// caller reload the classifier's vector constants after every
    /// character.
    #[inline(never)]
    fn walk_block(&mut self, rest: &str, block: &BlockBuf, class: &Classes, valid: usize) -> usize {
        let Classes {
            letter,
            digit,
            space,
            high,
            other,
        } = *class;
        let (not_letter, not_gap, not_number) = (!letter, !(space | other), !(digit | other));
        let mut p = 0;
        while p < valid {
            if letter >> p & 1 != 0 {
                self.letter();
                let end = (not_letter & u64::MAX << p).trailing_zeros() as usize;
                self.push_letters(block, p, end - p);
                p = end;
                continue;
            }
            if high >> p & 1 != 0 {
                let c = rest[p..].chars().next().expect("char boundary");
                p += c.len_utf8();
                self.char(c);
                continue;
            }
            // ASCII, not a letter: the word being written ends.
            self.close_word();
            let from = u64::MAX << p;
            if digit >> p & 1 != 0 {
                self.digit();
                p = (not_number & from).trailing_zeros() as usize;
            } else {
                let end = (not_gap & from).trailing_zeros();
                if (space & from).trailing_zeros() < end {
                    self.in_digits = false;
                    self.owe_space();
                }
                p = end as usize;
            }
        }
        p
    }

    /// A non-ASCII character.
    fn char(&mut self, c: char) {
        if c.is_alphabetic() {
            self.letter();
            for lower in c.to_lowercase() {
                // Four bytes written whatever the length: no call to copy.
                let mut utf8 = [0; 4];
                let n = lower.encode_utf8(&mut utf8).len();
                self.buf[self.len..self.len + 4].copy_from_slice(&utf8);
                self.len += n;
            }
            return;
        }
        self.close_word();
        if c.is_numeric() {
            self.digit();
        } else if c.is_whitespace() {
            self.in_digits = false;
            self.owe_space();
        }
    }
}

impl KeyMaker {
    /// A key maker with an empty scratch buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The template of `line` (as compared), for display and tests.
    ///
    /// The line is read 64 bytes at a time, each byte classified at once
    /// (letter, digit, whitespace, other, non-ASCII; 16 at a time in SSE2
    /// on x86-64). A block of ASCII goes token by token, one with
    /// non-ASCII characters run by run; runs of letters are copied and
    /// lower-cased 16 bytes at a time. The result is exactly that of the
    /// character-by-character definition (profiles store these keys; a
    /// test compares).
    pub fn template<'s>(&'s mut self, line: &str) -> &'s str {
        self.build(line, usize::MAX);
        std::str::from_utf8(&self.scratch[..self.len])
            .expect("a template is made of whole characters")
    }

    /// Writes the template of `line` into the scratch buffer, or at least
    /// its first `enough` bytes: the walk may stop once that many are
    /// final. The buffer is sized for the worst case (a lower-cased
    /// character can grow from two bytes to three; a space is owed before
    /// each token) and written by index, so the walk keeps its position in
    /// a register instead of growing a vector.
    fn build(&mut self, line: &str, enough: usize) {
        let need = line.len() * 2 + SLACK;
        if self.scratch.len() < need {
            self.scratch.resize(need, 0);
        }
        let mut t = Template {
            buf: &mut self.scratch,
            len: 0,
            words: 0,
            pending_space: false,
            in_digits: false,
            word: NO_WORD,
        };
        // A head needs only a few words: ASCII blocks end sooner.
        let span = if enough < BLOCK { HEAD_SPAN } else { BLOCK };
        let bytes = line.as_bytes();
        let mut copy: BlockBuf = [0; BLOCK + 16];
        let mut at = 0;
        while at < bytes.len() {
            // A block starts wherever the last one's walk stopped (a
            // character may straddle the boundary). Near the end of the
            // line it is copied, so that 16-byte pieces can be read past
            // the end.
            let valid = (bytes.len() - at).min(BLOCK);
            let block: &BlockBuf = match bytes.get(at..).and_then(<[u8]>::first_chunk) {
                Some(block) => block,
                None => {
                    copy[..bytes.len() - at].copy_from_slice(&bytes[at..]);
                    &copy
                }
            };
            let class = classify(block, valid);
            // A block of ASCII is cut after its last byte within `span`
            // that is not a letter, so that every word ends inside a block
            // or at the line's end; the bytes after the cut begin the next
            // block. Any other block is walked run by run.
            let cut = if class.high & below(valid) != 0 {
                0
            } else if valid < span {
                valid
            } else {
                BLOCK - (!class.letter & below(span)).leading_zeros() as usize
            };
            if cut > 0 {
                t.ascii_block(block, &class.below(cut));
                at += cut;
            } else {
                at += t.walk_block(&line[at..], block, &class.below(valid), valid);
            }
            if t.done_up_to() >= enough {
                break;
            }
        }
        t.close_word();
        (self.len, self.words) = (t.len, t.words);
    }

    /// The 64-bit key of `line`'s template: its upper half is the
    /// [`head`](KeyMaker::head) of the line, its lower half the upper half
    /// of the template's xxh3.
    pub fn key(&mut self, line: &str) -> u64 {
        self.build(line, usize::MAX);
        let template = &self.scratch[..self.len];
        u64::from(head_of(template)) << 32 | xxh3_64(template) >> 32
    }

    /// The upper half of `line`'s key, made from the template's first
    /// [`HEAD_BYTES`] bytes alone, and so from the start of the line: a
    /// corpus model turns down a long line whose head it does not hold
    /// after a block of it, without building the whole template.
    pub fn head(&mut self, line: &str) -> u32 {
        self.build(line, HEAD_BYTES);
        head_of(&self.scratch[..self.len])
    }

    /// Words (other than month and day names) in the last whole template
    /// made (by [`key`](KeyMaker::key) or [`template`](KeyMaker::template),
    /// not by [`head`](KeyMaker::head), which may stop early).
    /// A line of only numbers and dates ("3,803", "Friday, 25 February")
    /// has none: its template is shared by unrelated lines everywhere, so
    /// it is no evidence of boilerplate.
    pub fn last_words(&self) -> u32 {
        self.words
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{BLOCK, BlockBuf, Classes};
    use std::arch::x86_64::*;

    /// [`super::classify`] 16 bytes at a time.
    #[inline(always)]
    pub(super) fn classify(block: &BlockBuf, valid: usize) -> Classes {
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU
        // has it, and the compiler enables it for every x86-64 target.
        unsafe { classify_sse2(block, valid) }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn classify_sse2(block: &BlockBuf, valid: usize) -> Classes {
        // The complements come out of one signed comparison each (SSE2
        // has "greater than" only) and are turned round once per block.
        let (mut not_letter, mut not_digit, mut not_space, mut high) = (0u64, 0u64, 0u64, 0u64);
        // Only the 16-byte pieces that hold part of the line.
        for v in 0..valid.min(BLOCK).div_ceil(16) {
            let lanes: &[u8; 16] = block[v * 16..v * 16 + 16].try_into().expect("16 bytes");
            // SAFETY: `lanes` is 16 readable bytes; the load is unaligned.
            let x = unsafe { _mm_loadu_si128(lanes.as_ptr().cast()) };
            // A range test in one signed comparison: adding 0x80 - lo moves
            // lo..lo+n to -128..-128+n, and every other byte above it.
            let outside = |x, lo: u8, n: u8| {
                _mm_cmpgt_epi8(
                    _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8)),
                    _mm_set1_epi8((0x80 + n - 1) as i8),
                )
            };
            let is = |x, b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
            // Bit 5 set folds upper case onto lower case and moves no
            // other byte into a..z.
            let nl = outside(_mm_or_si128(x, _mm_set1_epi8(0x20)), b'a', 26);
            let nd = outside(x, b'0', 10);
            // Whitespace is tab, newline, form feed and carriage return
            // (9..=13 but not the vertical tab, as `is_ascii_whitespace`
            // has it), and space.
            let ns = _mm_andnot_si128(is(x, b' '), _mm_or_si128(outside(x, b'\t', 5), is(x, 0x0b)));
            let mask = |m| u64::from(_mm_movemask_epi8(m) as u16) << (v * 16);
            not_letter |= mask(nl);
            not_digit |= mask(nd);
            not_space |= mask(ns);
            high |= mask(x);
        }
        Classes::new(!not_letter, !not_digit, !not_space, high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a character is to a template.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Letter,
        Digit,
        Space,
        Other,
    }

    /// The names the first version compared every word with.
    const DATE_NAMES: &[&str] = &[
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "may",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
    ];

    /// The character-by-character definition the fast template must equal
    /// (the first version of `template`, kept as the specification).
    fn reference(line: &str) -> (String, u32) {
        let (mut out, mut words) = (String::new(), 0u32);
        let mut in_digits = false;
        let mut pending_space = false;
        let mut word: Option<usize> = None;
        let push_space = |out: &mut String, pending: &mut bool| {
            if *pending && !out.is_empty() {
                out.push(' ');
            }
            *pending = false;
        };
        let fold = |out: &mut String, words: &mut u32, start: usize| {
            if DATE_NAMES.contains(&&out[start..]) {
                out.truncate(start);
                out.push('§');
            } else {
                *words += 1;
            }
        };
        for c in line.chars() {
            let class = if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    Class::Letter
                } else if c.is_ascii_digit() {
                    Class::Digit
                } else if c.is_ascii_whitespace() {
                    Class::Space
                } else {
                    Class::Other
                }
            } else if c.is_alphabetic() {
                Class::Letter
            } else if c.is_numeric() {
                Class::Digit
            } else if c.is_whitespace() {
                Class::Space
            } else {
                Class::Other
            };
            if class == Class::Letter {
                in_digits = false;
                if word.is_none() {
                    push_space(&mut out, &mut pending_space);
                    word = Some(out.len());
                }
                out.extend(c.to_lowercase());
                continue;
            }
            if let Some(start) = word.take() {
                fold(&mut out, &mut words, start);
            }
            match class {
                Class::Digit => {
                    if !in_digits {
                        push_space(&mut out, &mut pending_space);
                        out.push('0');
                    }
                    in_digits = true;
                }
                Class::Space => {
                    in_digits = false;
                    pending_space = true;
                }
                _ => {}
            }
        }
        if let Some(start) = word {
            fold(&mut out, &mut words, start);
        }
        (out, words)
    }

    /// The key as defined: the hash of the template's head above the
    /// hash of the whole template.
    fn reference_key(line: &str) -> u64 {
        let (template, _) = reference(line);
        let t = template.as_bytes();
        let head = xxh3_64(&t[..t.len().min(HEAD_BYTES)]) >> 32;
        head << 32 | xxh3_64(t) >> 32
    }

    /// Heads made from the start of a line whose template grows slowly
    /// (punctuation, numbers), or only after a long word, or never.
    #[test]
    fn heads_need_only_the_start_of_a_line() {
        let mut k = KeyMaker::new();
        let slow = format!("{} the rest of the story", "-- 1.5, ".repeat(40));
        let long_word = format!("{} and then some words", "x".repeat(500));
        let no_words = "... --- ... ".repeat(30);
        let short = "Share this";
        for line in [slow.as_str(), &long_word, &no_words, short, "", " "] {
            assert_eq!(k.head(line), key_head(reference_key(line)), "{line:?}");
        }
        // Lines that begin alike share a head and differ in their keys.
        let (a, b) = (
            "Sign up for our daily newsletter: the best stories",
            "Sign up for our daily newsletter: the top stories",
        );
        assert_eq!(k.head(a), k.head(b));
        assert_eq!(key_head(k.key(a)), k.head(a));
        assert_ne!(k.key(a), k.key(b));
    }

    #[test]
    fn date_names_are_exactly_the_list() {
        for name in DATE_NAMES {
            assert!(is_date_name(name.as_bytes()), "{name}");
        }
        for word in [
            "ja",
            "janu",
            "mayday",
            "sunda",
            "septembers",
            "thursd",
            "monk",
            "the",
        ] {
            assert!(!is_date_name(word.as_bytes()), "{word}");
        }
    }

    /// Every name folds, in any case, at any place in a block, and so does
    /// nothing else with its first three letters.
    #[test]
    fn date_names_fold_in_any_case() {
        let mut k = KeyMaker::new();
        for name in DATE_NAMES {
            let title = name[..1].to_uppercase() + &name[1..];
            for word in [name.to_string(), name.to_uppercase(), title] {
                for pad in 0..70 {
                    let line = format!("{}{word}", " ".repeat(pad));
                    assert_eq!(k.template(&line), "§", "{line:?}");
                    let line = format!("{}{word}s {word}", "x ".repeat(pad));
                    let (want, _) = reference(&line);
                    assert_eq!(k.template(&line), want, "{line:?}");
                }
            }
        }
    }

    proptest! {
        /// The table look-up is the list, on words made of the letters
        /// the names are made of, and on beginnings of names with more
        /// letters after them.
        #[test]
        fn date_name_test_equals_list(
            word in prop_oneof![
                "[acdefhijlmnoprstuvwy]{0,11}",
                (prop::sample::select(DATE_NAMES), 0..10usize, "[a-z]{0,3}")
                    .prop_map(|(name, n, more)| format!("{}{more}", &name[..n.min(name.len())])),
            ]
        ) {
            prop_assert_eq!(is_date_name(word.as_bytes()), DATE_NAMES.contains(&word.as_str()));
        }

        /// The run-at-a-time template is the character-by-character one,
        /// word count included, on text mixing every class of character.
        #[test]
        fn template_equals_definition(
            parts in proptest::collection::vec(
                prop::sample::select(vec![
                    "Updated", "14:02", " ", "  ", "\t", "GMT,", "Mon", "march", "MAY",
                    "café", "ÜBER", "٣", "Ⅻ", "\u{a0}", "\u{2003}", "—", "\"", "3,803",
                    "sept", "x", "Ⅷday", "ǅ", "İ", "ß", "\n", "-", "fri", "a1b2", "September",
                    "THURSDAY", "tues", "Jan.", "sun", "day", "Ωmega", "ǈ",
                ]),
                0..24,
            )
        ) {
            let line: String = parts.concat();
            let mut k = KeyMaker::new();
            let (want, words) = reference(&line);
            prop_assert_eq!(k.template(&line), want.as_str());
            prop_assert_eq!(k.last_words(), words);
        }

        /// The same on long lines, with every part on either side of every
        /// 16- and 64-byte boundary; half of them ASCII only (the token by
        /// token path), the others with non-ASCII characters here and there
        /// (the run by run path, and the changes between the two). The key
        /// maker has made a longer template before, so stale bytes in its
        /// buffer would show.
        #[test]
        fn long_lines_equal_definition(
            parts in proptest::collection::vec(
                prop_oneof![
                    // Words, names of days and months, numbers, punctuation
                    // and whitespace of every kind, words longer than 16
                    // and 64 letters.
                    12 => prop::sample::select(vec![
                        "the", "Updated", "a", "GMT,", "Mon", "march", "MAY", "sept", "x", "fri",
                        "a1b2", "September", "THURSDAY", "tues", "Jan.", "sun", "day", "Wednesday",
                        "Thurs", "dec", "14:02", "3,803", "2024", "1.5", "(7)", "-", "\"", ".",
                        ", ", ":", " ", " ", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00",
                        "Pneumonoultramicroscopicsilicovolcanoconiosis",
                        "Antidisestablishmentarian,",
                        concat!(
                            "abcdefghijklmnopqrstuvwxyz",
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                            "abcdefghijklmnopqrstuvwxyz",
                        ),
                    ]),
                    // Non-ASCII letters, digits, spaces and symbols.
                    1 => prop::sample::select(vec![
                        "café", "ÜBER", "٣", "Ⅻ", "\u{a0}", "\u{2003}", "—", "’", "Ⅷday", "ǅ", "İ",
                        "ß", "É", "Ωmega", "ǈ", "\u{212a}", "mayÉ", "É3", "3É",
                    ]),
                ],
                0..160,
            ),
            ascii in any::<bool>(),
        ) {
            let line: String = parts
                .iter()
                .filter(|p| !ascii || p.is_ascii())
                .copied()
                .collect();
            let mut k = KeyMaker::new();
            k.template(&"Zz9 §é ".repeat(300));
            let (want, words) = reference(&line);
            prop_assert_eq!(k.template(&line), want.as_str(), "{:?}", line);
            prop_assert_eq!(k.last_words(), words);
            prop_assert_eq!(k.key(&line), reference_key(&line));
            prop_assert_eq!(k.head(&line), key_head(reference_key(&line)), "{:?}", line);
        }

        /// The same on lines of single characters, so that any two classes
        /// meet, at any offset.
        #[test]
        fn any_neighbours_equal_definition(
            chars in proptest::collection::vec(
                prop_oneof![
                    6 => prop::char::range('a', 'z'),
                    2 => prop::char::range('A', 'Z'),
                    2 => prop::char::range('0', '9'),
                    3 => prop::sample::select(vec![' ', '\t', '\n', '\r', '\x0b', '\x0c']),
                    2 => prop::sample::select(vec![
                        '.', ',', ':', '-', '\'', '"', '(', ')', '/', '\x00', '\x7f',
                    ]),
                    1 => prop::sample::select(vec![
                        'É', 'ß', 'İ', 'é', '٣', '\u{a0}', '\u{2003}', '—', '’', 'Ⅻ', '\u{212a}',
                        'ǅ', '😀',
                    ]),
                ],
                0..300,
            )
        ) {
            let line: String = chars.into_iter().collect();
            let mut k = KeyMaker::new();
            let (want, words) = reference(&line);
            prop_assert_eq!(k.template(&line), want.as_str(), "{:?}", line);
            prop_assert_eq!(k.last_words(), words);
            prop_assert_eq!(k.head(&line), key_head(reference_key(&line)), "{:?}", line);
        }

        /// The vectorised classes are the byte-by-byte ones, for any bytes
        /// and any number of them.
        #[test]
        fn classes_equal_definition(
            bytes in proptest::collection::vec(any::<u8>(), BLOCK + 16),
            valid in 1..=BLOCK,
        ) {
            let block: BlockBuf = bytes.try_into().expect("80 bytes");
            prop_assert_eq!(
                classify(&block, valid).below(valid),
                classify_scalar(&block, valid).below(valid)
            );
        }

        /// `after` is its definition: the nearest byte before, skipping.
        #[test]
        fn after_equals_definition(marks: u64, skip: u64, carry: bool) {
            let marks = marks & !skip;
            let got = after(marks, carry, skip);
            for p in 0..64 {
                if skip >> p & 1 != 0 {
                    prop_assert_eq!(got >> p & 1, 0);
                    continue;
                }
                let before = (0..p).rev().find(|&q| skip >> q & 1 == 0);
                let want = before.map_or(carry, |q| marks >> q & 1 != 0);
                prop_assert_eq!(got >> p & 1 != 0, want, "bit {}", p);
            }
        }
    }

    /// Things that end words and numbers, at every offset from the start
    /// of the line, amid every kind of text.
    #[test]
    fn every_offset_equals_definition() {
        let mut k = KeyMaker::new();
        for probe in [
            "March",
            "sept",
            "Thursday",
            "14:02",
            "1, 2",
            "1 . 2",
            "x.5",
            "5.x",
            "É",
            "aÉb",
            "٣",
            "\u{a0}",
            " 7 ",
            "\t\x0b\x0c",
            "Jan.",
            "mayday",
        ] {
            for filler in ["a b ", "ab, ", "word ", "1 ", "  ", "é ", "abcdefghij"] {
                for offset in 0..150 {
                    // The probe at the line's end, then inside it.
                    let mut line: String = filler.chars().cycle().take(offset).collect();
                    line.push_str(probe);
                    for _ in 0..2 {
                        let (want, words) = reference(&line);
                        assert_eq!(k.template(&line), want, "{line:?}");
                        assert_eq!(k.last_words(), words, "{line:?}");
                        line.extend(filler.chars().cycle().take(150 - offset));
                    }
                }
            }
        }
    }

    #[test]
    fn template_variants_meet() {
        let mut k = KeyMaker::new();
        assert_eq!(
            k.template("Updated 14:02 GMT, 3 March 2024"),
            "updated 0 gmt 0 § 0"
        );
        assert_eq!(
            k.key("Last modified on Wed 9 Apr 2025"),
            k.key("last modified on Sunday 30 October 2024")
        );
        assert_eq!(k.template("Mayday for Marchers"), "mayday for marchers");
        k.key("Friday, 25 February");
        assert_eq!(k.last_words(), 0);
        k.key("Updated 14:02 GMT");
        assert_eq!(k.last_words(), 2);
        assert_eq!(k.key("Updated 14:02 GMT"), k.key("updated  09:15 gmt"));
        assert_eq!(k.key("Read more:"), k.key("READ MORE"));
        assert_ne!(k.key("Read more"), k.key("Read less"));
        assert_eq!(k.template("Café   Ünïcode"), "café ünïcode");
    }
}

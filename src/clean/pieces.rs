//! Judging one window on several threads: the window is cut at line ends
//! into pieces, and whichever thread is free takes the next piece.
//!
//! Pieces rather than halves, so that a thread that joins late (the one
//! that was busy writing the previous window) still finds work, and
//! threads that finish early are not left waiting for a slow half. Every
//! piece keeps its own records and normalised lines; they join up in
//! order afterwards, so the result does not depend on which thread judged
//! what.

use super::judging::{Judge, Keys, Record};
use crate::config::Config;
use crate::judge::RuleSet;
use std::sync::Mutex;

/// A stretch of whole lines of a window and what judging it found.
#[derive(Debug, Default)]
pub(super) struct Piece {
    /// Where the piece lies in the window.
    pub start: usize,
    pub end: usize,
    pub records: Vec<Record>,
    /// Its lines that repair or normalisation changed.
    pub normalised: String,
}

/// Pieces are no smaller than this: below it, handing a piece to another
/// thread costs more than judging it.
const MIN_PIECE: usize = 32 << 10;

/// Pieces per thread, so that threads finishing at different times even
/// out.
const PIECES_PER_THREAD: usize = 16;

/// At most this many pieces: past that, more threads gain little from
/// finer cuts.
const MAX_PIECES: usize = 64;

/// Cuts `text` into pieces of whole lines for `threads` threads, each
/// ending just after a line feed (or at the end of the text), reusing the
/// allocations in `pieces`. Returns how many pieces are in use, at least
/// one: 1 for one thread, or when the text is too small to share (or
/// empty), or is one line.
pub(super) fn plan(text: &str, threads: usize, pieces: &mut Vec<Piece>) -> usize {
    let wanted = if threads > 1 {
        (threads * PIECES_PER_THREAD)
            .min(text.len() / MIN_PIECE)
            .clamp(1, MAX_PIECES)
    } else {
        1
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut n = 0;
    // Each cut falls after the first line feed at or past its share, so
    // pieces are never empty (but for empty text) and may be fewer.
    loop {
        n += 1;
        let target = (bytes.len() * n / wanted).max(start);
        let end = match memchr::memchr(b'\n', &bytes[target..]) {
            Some(i) if n < wanted => target + i + 1,
            _ => bytes.len(),
        };
        if pieces.len() < n {
            pieces.push(Piece::default());
        }
        pieces[n - 1].start = start;
        pieces[n - 1].end = end;
        start = end;
        if end == bytes.len() {
            return n;
        }
    }
}

/// Everything judging a piece needs besides the judge.
#[derive(Clone, Copy)]
pub(super) struct Task<'a> {
    pub text: &'a str,
    pub config: &'a Config,
    pub rules: &'a RuleSet,
    pub keys: Keys<'a>,
}

impl Task<'_> {
    /// Judges one piece.
    pub fn judge(&self, judge: &mut Judge, piece: &mut Piece) {
        piece.records.clear();
        judge.judge(
            &self.text[piece.start..piece.end],
            piece.start,
            &mut piece.normalised,
            self.config,
            self.rules,
            self.keys,
            &mut piece.records,
        );
    }

    /// Judges `pieces` with one judge per thread: the first judge on the
    /// calling thread, which first runs `during` (other work that overlaps
    /// with judging), the others on `pool`. Returns what `during` returned
    /// once every piece is judged.
    pub fn judge_shared<T>(
        &self,
        pool: &rayon::ThreadPool,
        judges: &mut [Judge],
        pieces: &mut [Piece],
        during: impl FnOnce() -> T,
    ) -> T {
        let queue = Mutex::new(pieces.iter_mut());
        let work = |judge: &mut Judge| {
            loop {
                // The lock is held only to take the next piece.
                let next = queue.lock().expect("no judge panicked").next();
                let Some(piece) = next else { break };
                self.judge(judge, piece);
            }
        };
        let (mine, others) = judges
            .split_first_mut()
            .expect("a worker has at least one judge");
        pool.in_place_scope(|scope| {
            for judge in others {
                let work = &work;
                scope.spawn(move |_| work(judge));
            }
            let result = during();
            work(mine);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuts(text: &str, threads: usize) -> Vec<(usize, usize)> {
        let mut pieces = Vec::new();
        let n = plan(text, threads, &mut pieces);
        pieces[..n].iter().map(|p| (p.start, p.end)).collect()
    }

    #[test]
    fn pieces_are_whole_lines_covering_the_text() {
        let line = "A line of some forty bytes of news text.\n";
        let text = line.repeat(10_000);
        assert_eq!(cuts(&text, 1), [(0, text.len())]);
        for threads in [2, 3, 8, 64] {
            let pieces = cuts(&text, threads);
            let wanted = (threads * PIECES_PER_THREAD).min(text.len() / MIN_PIECE);
            assert_eq!(pieces.len(), wanted.min(MAX_PIECES), "{threads}");
            assert_eq!(pieces[0].0, 0);
            assert_eq!(pieces.last().unwrap().1, text.len());
            for w in pieces.windows(2) {
                assert_eq!(w[0].1, w[1].0);
            }
            for (start, end) in pieces {
                assert!(start < end);
                assert_eq!(text.as_bytes()[end - 1], b'\n');
            }
        }
    }

    #[test]
    fn small_or_single_line_text_is_one_piece() {
        assert_eq!(cuts("", 2), [(0, 0)]);
        assert_eq!(cuts("", 1), [(0, 0)]);
        assert_eq!(cuts("short\ntext\n", 2), [(0, 11)]);
        let one_line = "x".repeat(1 << 20);
        assert_eq!(cuts(&one_line, 2), [(0, 1 << 20)]);
        // A long line at the end: the last piece takes it whole.
        let text = format!("{}{}", "a line\n".repeat(20_000), "y".repeat(1 << 20));
        let pieces = cuts(&text, 2);
        assert_eq!(pieces.last().unwrap().1, text.len());
        assert!(pieces.iter().all(|&(s, e)| s < e));
    }

    #[test]
    fn crlf_lines_are_cut_after_the_line_feed() {
        let text = "one line\r\n".repeat(20_000);
        for (_, end) in cuts(&text, 2) {
            assert_eq!(&text[end - 2..end], "\r\n");
        }
    }
}

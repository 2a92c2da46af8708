//! One document on several threads, a whole window per thread at a time.
//!
//! The calling thread reads windows and writes them out, both in order.
//! Every thread (the caller too, when there is nothing to read or write)
//! takes the next window read, judges it, waits until every window before
//! it is settled, settles it, and finishes it (builds its output) after
//! its turn, side by side with other threads. A window is judged, settled
//! and assembled on one core, so its records and output never cross between
//! cores before they are written; only its text crosses, once. Threads meet
//! only to take or hand over a window or to wait for their turn to settle,
//! a few times per window, instead of once per piece of a window shared out
//! and joined again (which cost a pool thread's wake-up per window and sent
//! every window's records across cores to be settled). Settling in order
//! keeps output and statistics those of the sequential run.

use crate::error::Result;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// What the threads share about the windows in flight.
struct Board<W> {
    /// Windows read and not yet taken, by sequence number.
    queued: VecDeque<(u64, W)>,
    /// Windows settled and not yet written, by sequence number.
    settled: Vec<(u64, W)>,
    /// Set when no more windows will be queued (input ended or failed) or
    /// when a thread panicked: waiting threads give up.
    closed: bool,
    panicked: bool,
}

/// The settling state and whose turn it is to use it.
struct Turn<'s, S> {
    state: &'s mut S,
    next: u64,
    panicked: bool,
}

struct Shared<'s, W, S> {
    board: Mutex<Board<W>>,
    /// Signalled when a window is queued or settled, or the board closes.
    changed: Condvar,
    turn: Mutex<Turn<'s, S>>,
    /// Signalled when a window is settled.
    turned: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking thread marks the board before unwinding (see `Abort`),
    // so a poisoned lock holds nothing half-done that matters.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<W, S> Shared<'_, W, S> {
    /// Judges window `seq`, settles it in its turn and posts it to be
    /// written. Returns false when another thread panicked.
    fn work<J>(
        &self,
        judge: &mut J,
        seq: u64,
        mut window: W,
        stages: &Parallel<'_, W, S, J>,
    ) -> bool {
        (stages.process)(judge, &mut window);
        {
            let mut turn = lock(&self.turn);
            while turn.next != seq && !turn.panicked {
                turn = self
                    .turned
                    .wait(turn)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if turn.panicked {
                return false;
            }
            (stages.settle)(turn.state, &mut window);
            turn.next += 1;
        }
        self.turned.notify_all();
        (stages.finish)(&mut window);
        lock(&self.board).settled.push((seq, window));
        self.changed.notify_all();
        true
    }

    /// Takes the next queued window, waiting for one; `None` once the board
    /// is closed and empty.
    fn take(&self) -> Option<(u64, W)> {
        let mut board = lock(&self.board);
        loop {
            if board.panicked {
                return None;
            }
            if let Some(next) = board.queued.pop_front() {
                return Some(next);
            }
            if board.closed {
                return None;
            }
            board = self
                .changed
                .wait(board)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wakes every waiting thread for good: a thread panicked, so the
    /// windows it held will never be settled.
    fn abort(&self) {
        let mut board = lock(&self.board);
        board.panicked = true;
        board.closed = true;
        drop(board);
        lock(&self.turn).panicked = true;
        self.changed.notify_all();
        self.turned.notify_all();
    }
}

/// Marks the board if the thread holding it unwinds, so that no other
/// thread waits for a window that will never come.
struct Abort<'a, 's, W, S>(&'a Shared<'s, W, S>);

impl<W, S> Drop for Abort<'_, '_, W, S> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.abort();
        }
    }
}

/// The stages of a document, for [`run`].
pub(super) struct Stages<'a, W, S, J> {
    /// Reads the next window into the given one; false at the end of input.
    pub read: &'a mut dyn FnMut(&mut W) -> Result<bool>,
    /// Judges a window (any thread).
    pub process: &'a (dyn Fn(&mut J, &mut W) + Sync),
    /// Settles a window against the state (any thread, one at a time, in
    /// order).
    pub settle: &'a (dyn Fn(&mut S, &mut W) + Sync),
    /// Finishes a settled window (any thread, side by side): work that
    /// needs the window settled but not the state, taken out of the
    /// settling turn.
    pub finish: &'a (dyn Fn(&mut W) + Sync),
    /// Writes a settled window out (the calling thread, in order).
    pub write: &'a mut dyn FnMut(&W) -> Result<()>,
}

/// The stages any thread runs on a window it took.
struct Parallel<'a, W, S, J> {
    process: &'a (dyn Fn(&mut J, &mut W) + Sync),
    settle: &'a (dyn Fn(&mut S, &mut W) + Sync),
    finish: &'a (dyn Fn(&mut W) + Sync),
}

/// Runs a document through `stages` with one judge per thread: the first
/// for the calling thread, which judges between reading and writing, and
/// one helper on `pool` for each of the others. `first` is the first
/// window, already read. At most `in_flight` windows are read and not yet
/// written; they come from `stock` and go back to it (allocated when it
/// runs out).
///
/// Windows are taken in the order they were read, so every window before
/// one a thread holds is settled or held by a thread that will settle it:
/// waiting for a turn always ends, and dropping the queued windows after
/// an error strands no one.
///
/// Returns the first error of reading or writing. After a read error every
/// window read before it is still judged, settled and written, as in a run
/// on one thread; after a write error the windows in flight are dropped. A
/// panic in any stage is resumed here once every thread has stopped.
pub(super) fn run<W, S, J>(
    pool: &rayon::ThreadPool,
    judges: &mut [J],
    stock: &mut Vec<W>,
    first: W,
    in_flight: usize,
    state: &mut S,
    stages: Stages<'_, W, S, J>,
) -> Result<()>
where
    W: Default + Send,
    S: Send,
    J: Send,
{
    let parallel = Parallel {
        process: stages.process,
        settle: stages.settle,
        finish: stages.finish,
    };
    let parallel = &parallel;
    let (mine, helpers) = judges.split_first_mut().expect("one judge or more");
    let shared = Shared {
        board: Mutex::new(Board {
            queued: VecDeque::from([(0, first)]),
            settled: Vec::new(),
            closed: false,
            panicked: false,
        }),
        changed: Condvar::new(),
        turn: Mutex::new(Turn {
            state,
            next: 0,
            panicked: false,
        }),
        turned: Condvar::new(),
    };
    let helping = helpers.len();
    pool.in_place_scope(|scope| {
        for judge in helpers.iter_mut() {
            let shared = &shared;
            scope.spawn(move |_| {
                let _abort = Abort(shared);
                while let Some((seq, window)) = shared.take() {
                    if !shared.work(judge, seq, window, parallel) {
                        break;
                    }
                }
            });
        }
        let _abort = Abort(&shared);
        let result = lead(&shared, mine, helping, stock, in_flight, stages);
        // Helpers finish the windows they hold and stop; windows still
        // queued after a write error are dropped with the board.
        let mut board = lock(&shared.board);
        board.closed = true;
        if result.is_err() {
            board.queued.clear();
        }
        drop(board);
        shared.changed.notify_all();
        result
    })
}

/// The calling thread's part: read ahead while there is room, write every
/// window settled in order, and judge a window itself when that keeps no
/// helper waiting.
fn lead<W: Default, S, J>(
    shared: &Shared<'_, W, S>,
    mine: &mut J,
    helping: usize,
    stock: &mut Vec<W>,
    in_flight: usize,
    stages: Stages<'_, W, S, J>,
) -> Result<()> {
    let Stages {
        read,
        process,
        settle,
        finish,
        write,
    } = stages;
    let parallel = &Parallel {
        process,
        settle,
        finish,
    };
    let (mut next_read, mut next_write) = (1u64, 0u64);
    let mut ended = false;
    let mut failed = None;
    loop {
        let mut board = lock(&shared.board);
        if board.panicked {
            return Ok(());
        }
        if let Some(i) = board.settled.iter().position(|(seq, _)| *seq == next_write) {
            let (_, window) = board.settled.swap_remove(i);
            drop(board);
            write(&window)?;
            stock.push(window);
            next_write += 1;
            continue;
        }
        if ended && next_write == next_read {
            return failed.map_or(Ok(()), Err);
        }
        if !ended && next_read - next_write < in_flight as u64 {
            drop(board);
            let mut window = stock.pop().unwrap_or_default();
            match read(&mut window) {
                Ok(true) => {
                    lock(&shared.board).queued.push_back((next_read, window));
                    next_read += 1;
                }
                end => {
                    stock.push(window);
                    failed = end.err();
                    ended = true;
                    lock(&shared.board).closed = true;
                }
            }
            // All: the caller waits on the same signal.
            shared.changed.notify_all();
            continue;
        }
        // Nothing to read or write: judge a window here, unless a helper
        // is about to take it (a helper left without one waits until this
        // thread reads again, a whole window later). The window due next
        // is always judged by someone: a helper holds it, or it is queued.
        let spare = board.queued.len() > 1 || ended || helping == 0;
        if spare && let Some((seq, window)) = board.queued.pop_front() {
            drop(board);
            if !shared.work(mine, seq, window, parallel) {
                return Ok(());
            }
            continue;
        }
        let _board = shared
            .changed
            .wait(board)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::time::Duration;

    /// A window of the toy document: its number, and what judging made of it.
    #[derive(Default)]
    struct Toy {
        n: u64,
        judged: Option<u64>,
        settled_as: Option<usize>,
        /// Set by finishing, from the settling order: finishing came after.
        finished_as: Option<usize>,
    }

    /// Each window written: its number, what judging made of it and its
    /// place in the settling order.
    type Written = Vec<(u64, u64, usize)>;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// Runs `windows` toy windows on `threads` threads; judging sleeps a
    /// varying while so that windows finish out of order. Returns what was
    /// written, in order, or the error.
    fn run_toy(
        threads: usize,
        in_flight: usize,
        windows: u64,
        fail_write_at: Option<u64>,
        fail_read_at: Option<u64>,
    ) -> (Result<()>, Written, Vec<u64>) {
        let pool = pool(threads);
        let mut judges: Vec<u64> = vec![0; threads];
        let mut stock = Vec::new();
        let mut settled: Vec<u64> = Vec::new();
        let mut next = 1;
        let mut read = |w: &mut Toy| {
            if Some(next) == fail_read_at {
                return Err(Error::LineTooLong {
                    offset: next,
                    limit: 1,
                });
            }
            if next == windows {
                return Ok(false);
            }
            *w = Toy {
                n: next,
                ..Toy::default()
            };
            next += 1;
            Ok(true)
        };
        let process = |judged: &mut u64, w: &mut Toy| {
            std::thread::sleep(Duration::from_micros((w.n * 7919) % 300));
            *judged += 1;
            w.judged = Some(w.n * w.n);
        };
        let settle = |order: &mut Vec<u64>, w: &mut Toy| {
            w.settled_as = Some(order.len());
            order.push(w.n);
        };
        // Finishing also takes a varying while, so that windows are posted
        // to be written out of order.
        let finish = |w: &mut Toy| {
            std::thread::sleep(Duration::from_micros((w.n * 104_729) % 200));
            w.finished_as = Some(w.settled_as.expect("settled before finished"));
        };
        let mut written = Vec::new();
        let mut write = |w: &Toy| {
            if Some(w.n) == fail_write_at {
                return Err(Error::Input {
                    message: "disk full".into(),
                });
            }
            assert_eq!(w.finished_as, w.settled_as, "window {} finished", w.n);
            written.push((w.n, w.judged.unwrap(), w.settled_as.unwrap()));
            Ok(())
        };
        let first = Toy {
            n: 0,
            ..Toy::default()
        };
        let result = run(
            &pool,
            &mut judges,
            &mut stock,
            first,
            in_flight,
            &mut settled,
            Stages {
                read: &mut read,
                process: &process,
                settle: &settle,
                finish: &finish,
                write: &mut write,
            },
        );
        assert!(stock.len() <= in_flight, "windows return to the stock");
        (result, written, settled)
    }

    #[test]
    fn every_window_is_settled_and_written_once_in_order() {
        for threads in [1, 2, 3, 5] {
            for in_flight in [1, 2, 4, 9] {
                let (result, written, settled) = run_toy(threads, in_flight, 200, None, None);
                result.unwrap();
                let want: Vec<u64> = (0..200).collect();
                assert_eq!(settled, want, "{threads} threads, {in_flight} in flight");
                let got: Vec<u64> = written.iter().map(|w| w.0).collect();
                assert_eq!(got, want);
                for (n, judged, settled_as) in written {
                    assert_eq!(judged, n * n);
                    assert_eq!(settled_as as u64, n);
                }
            }
        }
    }

    #[test]
    fn a_failed_write_stops_the_run_with_its_error() {
        for threads in [1, 2, 4] {
            let (result, written, _) = run_toy(threads, 4, 500, Some(37), None);
            let err = result.unwrap_err();
            assert!(err.to_string().contains("disk full"), "{err}");
            let got: Vec<u64> = written.iter().map(|w| w.0).collect();
            assert_eq!(got, (0..37).collect::<Vec<_>>());
        }
    }

    #[test]
    fn after_a_failed_read_every_window_before_it_is_written() {
        for threads in [1, 2, 4] {
            let (result, written, settled) = run_toy(threads, 6, 500, None, Some(41));
            assert!(matches!(result, Err(Error::LineTooLong { offset: 41, .. })));
            let want: Vec<u64> = (0..41).collect();
            assert_eq!(written.iter().map(|w| w.0).collect::<Vec<_>>(), want);
            assert_eq!(settled, want);
        }
    }

    /// Runs 100 windows with a panic at window 42 while judging or while
    /// finishing; returns the panic message and the windows settled.
    fn panic_at_42(in_finish: bool) -> (String, u64) {
        let pool = pool(2);
        let mut judges = vec![(), ()];
        let mut settled = 0u64;
        let mut next = 1;
        let stop = |stage: bool, w: &u64| assert!(stage != in_finish || *w != 42, "window 42");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(
                &pool,
                &mut judges,
                &mut Vec::new(),
                0u64,
                4,
                &mut settled,
                Stages {
                    read: &mut |w: &mut u64| {
                        *w = next;
                        next += 1;
                        Ok(next < 100)
                    },
                    process: &|_: &mut (), w: &mut u64| stop(false, w),
                    settle: &|s: &mut u64, _: &mut u64| *s += 1,
                    finish: &|w: &mut u64| stop(true, w),
                    write: &mut |_: &u64| Ok(()),
                },
            )
        }));
        let panic = caught.unwrap_err();
        let message = (panic.downcast_ref::<String>().cloned())
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        (message, settled)
    }

    #[test]
    fn a_panic_while_judging_reaches_the_caller() {
        let (message, settled) = panic_at_42(false);
        assert!(message.contains("window 42"), "{message}");
        assert!(settled <= 42, "nothing after the panicked window settles");
    }

    #[test]
    fn a_panic_while_finishing_reaches_the_caller() {
        let (message, settled) = panic_at_42(true);
        assert!(message.contains("window 42"), "{message}");
        assert!(
            settled >= 43,
            "window 42 was settled before it was finished"
        );
    }
}

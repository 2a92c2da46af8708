//! Bytes through a cleaner with window threads (what `-j2` does with one
//! large input: windows judged and settled on both threads of a pool while
//! the calling thread reads ahead and writes) and through the same cleaner
//! on one thread. The output and the outcome must be the same, also when an
//! error (binary input, a line over `max_line`) stops them partway. Small
//! windows, so that libFuzzer's inputs span many.
//!
//! Apart from `pipeline` because which thread takes which window, and
//! whether a lock is contended, change from run to run: part of this
//! target's coverage is scheduling, which in `pipeline` kept turning up
//! "new" edges in locks and rayon's queues that no input caused.
#![no_main]

mod common;

use common::WithBytes;
use decruft::{Cleaner, Config, Error, RuleSet, Worker};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// The minimum window, one that cuts CRLFs and UTF-8 characters, and one a
/// few lines long.
const WINDOWS: &[usize] = &[64, 127, 1024];

/// Two threads, as `-j2` gives a single large input.
fn pool() -> Arc<rayon::ThreadPool> {
    static POOL: OnceLock<Arc<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
        Arc::new(pool.expect("a two-thread pool"))
    })
    .clone()
}

thread_local! {
    /// One (single-threaded, threaded) pair of workers per window size,
    /// built once: compiling the rules takes milliseconds.
    static WORKERS: RefCell<Vec<(Worker, Worker)>> = RefCell::new(
        WINDOWS
            .iter()
            .map(|&window| {
                let config = Config {
                    window,
                    // Small enough that long lines take the error path too.
                    max_line: window * 4,
                    ..Config::default()
                };
                let cleaner = Cleaner::new(config, RuleSet::builtin());
                let threaded = cleaner.clone().with_window_threads(pool());
                (cleaner.worker(), threaded.worker())
            })
            .collect(),
    );
}

/// What cleaning wrote (up to the error, if any) and how it ended.
fn clean(worker: &mut Worker, bytes: &[u8]) -> (String, Result<(), String>) {
    let mut out = Vec::new();
    let result = worker.clean(bytes, &mut out, None);
    let outcome = match result {
        Ok(_) => Ok(()),
        Err(e @ (Error::Binary { .. } | Error::LineTooLong { .. })) => Err(e.to_string()),
        Err(e) => panic!("unexpected error: {e}"),
    };
    (String::from_utf8(out).expect("output is UTF-8"), outcome)
}

// The first byte picks the window size.
fuzz_target!(|input: WithBytes<u8>| {
    WORKERS.with(|w| {
        let mut workers = w.borrow_mut();
        let (single, threaded) = &mut workers[usize::from(input.opts) % WINDOWS.len()];
        let one = clean(single, &input.bytes);
        let two = clean(threaded, &input.bytes);
        assert_eq!(one.0, two.0, "window threads changed the output");
        assert_eq!(one.1, two.1, "window threads changed the outcome");
    });
});

//! decruft's integration tests: one test binary (`cargo test --test
//! integration`) that runs the built executable, as ripgrep's `tests/`.
//!
//! `util` is the harness ([`util::Dir`], `dtest!`, `eqnice!`), `hay` holds
//! the fixtures; each module below covers one area of the command-line
//! contract of issue 2. Regression tests live in `regression` and are
//! named after the issue that found the bug.

#[macro_use]
mod util;
mod hay;

#[path = "it/batch.rs"]
mod batch;
#[path = "it/cleaning.rs"]
mod cleaning;
#[path = "it/cli.rs"]
mod cli;
#[path = "it/corpus.rs"]
mod corpus;
#[path = "it/errors.rs"]
mod errors;
#[path = "it/readme.rs"]
mod readme;
#[path = "it/regression.rs"]
mod regression;

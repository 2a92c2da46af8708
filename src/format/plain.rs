//! Plain text: the whole input is one document.
//!
//! This is the format decruft began with, and it stays outside the
//! [`Format`](super::Format) trait on purpose: a plain document has no
//! record boundary to cut at, so it cannot be split into chunks for
//! parallel work without changing what in-document repetition sees.
//! Instead it streams through [`Worker::clean`] window by window in
//! bounded memory (`--window`), and parallelism comes from cleaning many
//! files at once. A concatenated dump that *does* have boundaries is a
//! document stream ([`super::stream`]).

use crate::clean::{Removal, Worker};
use crate::error::Result;
use crate::profile::ProfileBuilder;
use crate::stats::Stats;
use std::io::{BufRead, Write};

/// Cleans the whole input as one document.
pub fn clean(
    worker: &mut Worker,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    explain: Option<&mut dyn FnMut(&Removal<'_>)>,
) -> Result<Stats> {
    let mut stats = worker.clean(input, out, explain)?;
    stats.documents = 1;
    Ok(stats)
}

/// Learns the whole input as one document.
pub fn learn(
    worker: &mut Worker,
    input: &mut dyn BufRead,
    builder: &mut ProfileBuilder,
) -> Result<()> {
    worker.learn(input, builder).map(|_| ())
}

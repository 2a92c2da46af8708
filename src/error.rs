//! The library's one error type.
//!
//! Stages return errors that say *what* went wrong and *where inside the
//! input* (a byte offset, a rules-file line); the batch driver adds the path
//! once, so every message the user sees reads `path: cause`, as in ripgrep.

use std::io;
use std::path::PathBuf;

/// Everything that can stop one input from being cleaned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The input holds NUL bytes after decoding: it is a binary file, not text.
    #[error("binary file (NUL byte at byte offset {offset}), skipped")]
    Binary {
        /// Offset of the first NUL in the decoded text.
        offset: u64,
    },
    /// A single line is longer than the configured cap, so it cannot be held
    /// in bounded memory.
    #[error("line longer than {limit} bytes at byte offset {offset} (raise --max-line)")]
    LineTooLong {
        /// Offset where the over-long line starts.
        offset: u64,
        /// The cap in bytes.
        limit: usize,
    },
    /// A user rule did not compile.
    #[error("{}:{line}: bad rule: {message}", path.display())]
    BadRule {
        /// The rules file.
        path: PathBuf,
        /// 1-based line number in the rules file.
        line: usize,
        /// What the regex parser said.
        message: String,
    },
    /// A path-level problem found by the batch driver.
    #[error("{message}")]
    Input {
        /// Human-readable cause.
        message: String,
    },
}

impl Error {
    /// True when the error is a closed pipe on output, which the CLI treats
    /// as a quiet, successful end (`decruft big.txt | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Result alias for the library.
pub type Result<T> = std::result::Result<T, Error>;

//! The plain options the library takes.
//!
//! The CLI (or the Python bindings) builds a [`Config`]; nothing in the
//! library knows about clap. Every field is named after the CLI flag that sets
//! it, so one concept has one name everywhere.

use crate::decode::DecodeOptions;
use crate::normalise::NormaliseOptions;
use crate::repair::RepairOptions;

/// How in-document repetition is judged (`repeated-in-document`).
#[derive(Clone, Debug)]
pub struct RepeatOptions {
    /// Off with `--no-repeat`.
    pub enabled: bool,
    /// How many copies of a line in one document make it boilerplate.
    pub min_count: u32,
    /// Only lines of at most this many characters are candidates: notices
    /// are short, and real paragraphs are not repeated verbatim.
    pub max_chars: usize,
    /// Only lines of at most this many words are candidates.
    pub max_words: usize,
}

impl Default for RepeatOptions {
    fn default() -> Self {
        RepeatOptions {
            enabled: true,
            min_count: 2,
            max_chars: 200,
            max_words: 30,
        }
    }
}

/// Everything one cleaning run needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// How bytes become text.
    pub decode: DecodeOptions,
    /// Mojibake, entity and tag repair.
    pub repair: RepairOptions,
    /// Whitespace and Unicode normalisation.
    pub normalise: NormaliseOptions,
    /// In-document repetition.
    pub repeat: RepeatOptions,
    /// `--no-strip`: decode, repair and normalise, but remove no line.
    pub strip: bool,
    /// Bytes of decoded text judged together. Repetition is counted inside a
    /// window, so a document up to this size is judged whole; larger inputs
    /// stream window by window in bounded memory.
    pub window: usize,
    /// The longest single line accepted; longer is a per-file error.
    pub max_line: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            decode: DecodeOptions::default(),
            repair: RepairOptions::default(),
            normalise: NormaliseOptions::default(),
            repeat: RepeatOptions::default(),
            strip: true,
            window: 1 << 20,
            max_line: 64 << 20,
        }
    }
}

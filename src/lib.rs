//! decruft turns scraped web text into clean text.
//!
//! It strips web-scrape boilerplate (privacy and embed notices, cookie and
//! newsletter prompts, share bars, image credits, site chrome) by built-in
//! rules, user rules and repetition inside a document; it never removes a
//! sentence that merely mentions those things. It decodes any input to
//! UTF-8 and normalises whitespace, line endings and Unicode.
//!
//! A document flows one way through stages, each a module:
//!
//! | stage | module | in → out |
//! |---|---|---|
//! | read | [`read`] | a file or stdin, gzip/zstd by magic bytes → plain bytes |
//! | format | [`format`](mod@format) | plain, JSON Lines, WET, `--doc-separator` stream → documents (and back) |
//! | decode | [`decode`] | bytes in any encoding → UTF-8 |
//! | split | [`lines`] | UTF-8 stream → windows of whole lines |
//! | repair | [`repair`] | mojibake, entities, tag residue → fixed text |
//! | normalise | [`normalise`] | a raw line → its canonical form |
//! | judge | [`judge`] | a canonical line → keep, remove or trim |
//! | write | [`write`](mod@write) | kept lines → output, blank runs collapsed |
//!
//! [`clean`] wires them together for one document: lines that repair and
//! normalisation cannot change skip both and are judged in place, and with
//! a thread pool the windows of a large document are judged on every
//! thread at once while one thread reads and writes. [`batch`] runs
//! many inputs, and [`format`](mod@format) the chunks of records inside
//! one, in parallel with output in input order. [`profile`] learns what a
//! corpus repeats across documents, and the judge applies it.
//!
//! ```
//! use decruft::{Cleaner, Config, RuleSet};
//!
//! let cleaner = Cleaner::new(Config::default(), RuleSet::builtin());
//! let article = "Storm hits coast\n\n\
//!     Homes were flooded overnight.\n\n\
//!     To view this content, you'll need to update your privacy settings.\n\
//!     Please click here to do so.\n\n\
//!     Residents said they had never seen anything like it.\n";
//! assert_eq!(
//!     cleaner.clean_str(article),
//!     "Storm hits coast\n\nHomes were flooded overnight.\n\n\
//!      Residents said they had never seen anything like it.\n"
//! );
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod clean;
pub mod config;
pub mod decode;
pub mod error;
pub mod format;
pub mod judge;
pub mod lines;
pub mod normalise;
pub mod profile;
pub mod read;
pub mod repair;
mod scan;
pub mod stats;
pub mod write;

pub use clean::{Cleaner, Removal, Worker};
pub use config::{Config, RepeatOptions};
pub use error::{Error, Result};
pub use judge::{RuleSet, RuleSetBuilder};
pub use stats::Stats;

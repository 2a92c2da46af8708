//! Command-line options (clap). Nothing outside the binary sees these
//! types: [`PipelineArgs::to_config`] and [`CorpusArgs::to_options`] turn
//! them into the library's plain option structs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use decruft::config::{Config, RepeatOptions};
use decruft::decode::{DecodeOptions, encoding_for_label};
use decruft::format::{FormatKind, FormatOptions, OnError};
use decruft::normalise::{NormaliseOptions, UnicodeForm};
use decruft::profile::CorpusOptions;
use decruft::read::Compression;
use decruft::repair::RepairOptions;
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// `--format`: how inputs are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// By name (.jsonl, .ndjson, .warc.wet, each optionally .gz/.zst) or a
    /// 'WARC/1.' first line; otherwise plain text.
    Auto,
    /// Plain text: one document per input (per --doc-separator stretch).
    Plain,
    /// JSON Lines: one document per record, in --field.
    Jsonl,
    /// Common Crawl WET: one document per conversion record.
    Wet,
}

/// `--on-error`: what to do with a malformed record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    /// Report it and drop it from the output.
    Skip,
    /// Report it and write it out unchanged.
    Keep,
    /// Report it, drop it, finish reading the file, then fail the file.
    Fail,
}

/// `--compress`: output codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompressArg {
    /// Plain output.
    None,
    /// gzip.
    Gzip,
    /// Zstandard.
    Zstd,
}

/// Format of `--stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Human-readable summary.
    Text,
    /// One JSON object.
    Json,
}

const ABOUT: &str =
    "Clean scraped web text: strip boilerplate, fix encodings, normalise whitespace.";

const LONG_ABOUT: &str = "\
Clean scraped web text: strip boilerplate, fix encodings, normalise whitespace.

With no PATH, or with '-', decruft reads standard input and streams the cleaned \
text to standard output. With files and folders it cleans every regular file \
under them: to standard output (in input order), into a mirrored folder with \
-o DIR, or atomically in place with --in-place.

Exit status: 0 all inputs cleaned, 1 at least one input failed (the others \
were still cleaned), 2 usage error.";

/// decruft command line.
#[derive(Parser, Debug)]
#[command(
    name = "decruft",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    args_conflicts_with_subcommands = true
)]
pub struct Opts {
    /// A subcommand; without one, decruft cleans.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of the default (clean) command.
    #[command(flatten)]
    pub clean: CleanArgs,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Learn what a corpus repeats and write it to a profile file, or merge
    /// profiles.
    Learn(LearnArgs),
    /// Run a clean without writing anything but one self-contained HTML
    /// review report: summary, learned boilerplate, documents with their
    /// removed lines, near-misses.
    Report(ReportArgs),
    /// Print a shell completion script to standard output.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output.
    Man,
}

/// `--color`: when to colour the `--diff` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Never.
    Never,
    /// When standard output is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
}

/// `--progress` / `--no-progress`, shared by the commands that run long.
#[derive(Args, Debug)]
pub struct ProgressArgs {
    /// Show a progress bar on standard error even when it is not a
    /// terminal [default: only on a terminal, for 2+ files or 16 MB+].
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,

    /// Never show a progress bar.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,
}

/// Shells `decruft completions` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// elvish.
    Elvish,
    /// PowerShell.
    Powershell,
}

/// Options of `decruft completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Options of `decruft report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Files or folders to review, cleaned as `decruft PATH...` would clean
    /// them (nothing is written but the report).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// The HTML file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// Embed at most N documents (a deterministic sample); the summary
    /// always counts every document. Embedded text is also capped at 12 MB,
    /// so the report stays under 20 MB for any corpus.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub sample: usize,

    /// Worker threads [default: number of cores].
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Print the run's statistics to standard error, as the clean command
    /// does.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub stats: Option<StatsFormat>,

    /// Remove the corpus boilerplate recorded in a profile instead of
    /// learning from the inputs.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// Do not learn corpus boilerplate from the inputs.
    #[arg(long, conflicts_with = "profile")]
    pub no_corpus: bool,

    /// Progress bar.
    #[command(flatten)]
    pub progress: ProgressArgs,

    /// Corpus thresholds.
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Input formats.
    #[command(flatten)]
    pub format: FormatArgs,

    /// Pipeline options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Options of the clean command (the default).
#[derive(Args, Debug)]
pub struct CleanArgs {
    /// Files or folders to clean ('-' for standard input).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write each cleaned file under DIR, mirroring paths relative to each
    /// given folder.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        conflicts_with = "in_place"
    )]
    pub output: Option<PathBuf>,

    /// Rewrite files in place, atomically (temporary file, then rename).
    #[arg(long)]
    pub in_place: bool,

    /// Worker threads [default: number of cores].
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Print statistics to standard error when done: 'text' (default) or
    /// 'json'.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub stats: Option<StatsFormat>,

    /// Print each removed line to standard error as FILE:LINE<TAB>RULE<TAB>TEXT
    /// (FILE:RECORD:LINE for JSON Lines, WET and --doc-separator documents).
    #[arg(long)]
    pub explain: bool,

    /// List the rules in effect (built-in and --rules) and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Remove the corpus boilerplate recorded in a profile (from
    /// 'decruft learn'), instead of learning from the inputs.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// Do not learn corpus boilerplate from the inputs.
    #[arg(long, conflicts_with = "profile")]
    pub no_corpus: bool,

    /// Compress the output: gzip, zstd or none. Default: with -o, each
    /// output as its input was (renamed .gz/.zst when this is given);
    /// on standard output, none.
    #[arg(long, value_name = "CODEC", conflicts_with = "in_place")]
    pub compress: Option<CompressArg>,

    /// Print a unified diff of each input against its cleaned output
    /// instead of the cleaned text; 'patch -p0 < run.diff' applies it.
    #[arg(long, conflicts_with_all = ["output", "in_place", "compress", "list_rules"])]
    pub diff: bool,

    /// Colour the --diff output: never, auto (on a terminal, unless
    /// NO_COLOR is set) or always.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Progress bar.
    #[command(flatten)]
    pub progress: ProgressArgs,

    /// Corpus thresholds.
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Input formats.
    #[command(flatten)]
    pub format: FormatArgs,

    /// Pipeline options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Input formats, shared by clean and learn.
#[derive(Args, Debug)]
pub struct FormatArgs {
    /// Input format: auto, plain, jsonl or wet.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,

    /// JSON Lines: the string field to clean; a dotted path reaches into
    /// nested objects (e.g. 'doc.body').
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,

    /// JSON Lines: add per-record statistics under this top-level key
    /// (lines_in, lines_kept, lines_removed, spans_removed).
    #[arg(long, value_name = "NAME")]
    pub meta_key: Option<String>,

    /// JSON Lines and WET: drop records whose text became empty.
    #[arg(long)]
    pub drop_empty: bool,

    /// JSON Lines: what to do with a malformed line (always reported as
    /// FILE:LINE on standard error).
    #[arg(long, value_name = "ACTION", value_enum, default_value_t = OnErrorArg::Keep)]
    pub on_error: OnErrorArg,

    /// Plain text: a line matching REGEX separates documents (e.g. '^\f$'
    /// or '^==> .* <==$'); separator lines are kept as they are.
    #[arg(long, value_name = "REGEX")]
    pub doc_separator: Option<String>,
}

impl FormatArgs {
    /// The library's format options.
    pub fn to_options(&self, compress: Option<CompressArg>) -> Result<FormatOptions, String> {
        let format = match self.format {
            FormatArg::Auto => FormatKind::Auto,
            FormatArg::Plain => FormatKind::Plain,
            FormatArg::Jsonl => FormatKind::Jsonl,
            FormatArg::Wet => FormatKind::Wet,
        };
        if self.doc_separator.is_some() && matches!(format, FormatKind::Jsonl | FormatKind::Wet) {
            return Err(format!(
                "--doc-separator splits plain text; it cannot be used with --format {}",
                if format == FormatKind::Jsonl {
                    "jsonl"
                } else {
                    "wet"
                }
            ));
        }
        let field: Vec<String> = self.field.split('.').map(str::to_string).collect();
        if field.iter().any(String::is_empty) {
            return Err(format!(
                "--field '{}': empty path segment (example: --field doc.text)",
                self.field
            ));
        }
        if let Some(key) = &self.meta_key
            && *key == field[0]
        {
            return Err(format!(
                "--meta-key '{key}' would overwrite the cleaned field; choose another name"
            ));
        }
        let doc_separator = match &self.doc_separator {
            None => None,
            Some(re) => Some(
                regex::bytes::Regex::new(re)
                    .map_err(|e| format!("--doc-separator: bad regex: {e}"))?,
            ),
        };
        Ok(FormatOptions {
            format,
            field,
            meta_key: self.meta_key.clone(),
            drop_empty: self.drop_empty,
            on_error: match self.on_error {
                OnErrorArg::Skip => OnError::Skip,
                OnErrorArg::Keep => OnError::Keep,
                OnErrorArg::Fail => OnError::Fail,
            },
            doc_separator,
            compress: compress.map(|c| match c {
                CompressArg::None => Compression::None,
                CompressArg::Gzip => Compression::Gzip,
                CompressArg::Zstd => Compression::Zstd,
            }),
            ..FormatOptions::default()
        })
    }
}

/// Options of `decruft learn`.
#[derive(Args, Debug)]
pub struct LearnArgs {
    /// Files or folders to learn from (or, with --merge, profiles to merge).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// The profile file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// Merge the given profile files instead of learning.
    #[arg(long)]
    pub merge: bool,

    /// With --merge: write only shard I of N (e.g. 2/8) of the key range, so
    /// N workers can share one large merge.
    #[arg(long, value_name = "I/N", requires = "merge", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// List the N most frequent lines that the thresholds make boilerplate,
    /// with their document counts, on standard output.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Worker threads [default: number of cores].
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Print statistics to standard error when done.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub stats: Option<StatsFormat>,

    /// Corpus thresholds (for --top).
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Input formats.
    #[command(flatten)]
    pub format: FormatArgs,

    /// Pipeline options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Thresholds that make a recurring line corpus boilerplate.
#[derive(Args, Debug)]
pub struct CorpusArgs {
    /// A line must occur in at least N documents to be corpus boilerplate.
    #[arg(long, value_name = "N", default_value_t = CorpusOptions::default().min_docs, value_parser = clap::value_parser!(u32).range(2..))]
    pub min_docs: u32,

    /// ... and in at least this share of all documents (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = CorpusOptions::default().min_share, value_parser = parse_share)]
    pub min_share: f64,
}

impl CorpusArgs {
    /// The library's thresholds.
    pub fn to_options(&self) -> CorpusOptions {
        CorpusOptions {
            min_docs: self.min_docs,
            min_share: self.min_share,
            ..CorpusOptions::default()
        }
    }
}

/// Options that shape the pipeline, shared by clean and learn.
#[derive(Args, Debug)]
pub struct PipelineArgs {
    /// Add rules from FILE: one regex per line, '#' comments, 'span:' prefix
    /// to cut a span instead of the whole line. Repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Turn the built-in rule pack off.
    #[arg(long)]
    pub no_builtin_rules: bool,

    /// Do not remove lines that repeat inside a document.
    #[arg(long)]
    pub no_repeat: bool,

    /// Copies of a short line in one document that make it boilerplate.
    #[arg(long, value_name = "N", default_value_t = RepeatOptions::default().min_count, value_parser = clap::value_parser!(u32).range(2..))]
    pub repeat_min: u32,

    /// Decode, repair and normalise only: remove no line.
    #[arg(long)]
    pub no_strip: bool,

    /// Force the input encoding (any WHATWG label, e.g. windows-1252).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Top-level domain the text came from, a hint for encoding detection.
    #[arg(long, value_name = "TLD")]
    pub tld: Option<String>,

    /// Treat malformed bytes as an error for that file instead of U+FFFD.
    #[arg(long)]
    pub strict: bool,

    /// Do not repair mojibake.
    #[arg(long)]
    pub no_mojibake: bool,

    /// Do not decode HTML entities.
    #[arg(long)]
    pub no_entities: bool,

    /// Keep leftover HTML tags.
    #[arg(long)]
    pub keep_tags: bool,

    /// Normalise Unicode to NFKC instead of NFC.
    #[arg(long, conflicts_with = "no_unicode_normalisation")]
    pub nfkc: bool,

    /// Leave the Unicode normalisation form as it is.
    #[arg(long)]
    pub no_unicode_normalisation: bool,

    /// Straighten typographic quotes and dashes to ASCII.
    #[arg(long)]
    pub ascii_quotes: bool,

    /// Bytes of text judged together (in-document repetition looks this
    /// far); larger inputs stream window by window. Suffixes K, M, G.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub window: usize,

    /// Longest line accepted; a longer one fails that file. Suffixes K, M, G.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_line: usize,
}

/// Parses `I/N` with `I < N`.
fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("'{s}' is not I/N (example: 0/8)"))?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("'{s}': I is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("'{s}': N is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("'{s}': need 0 <= I < N"));
    }
    Ok((i, n))
}

/// Parses a share between 0 and 1.
fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{s}' is not a share between 0 and 1 (example: 0.001)"
        )),
    }
}

/// Parses `8M`, `64K`, `1G` or a plain byte count.
fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1 << 10),
        Some((i, 'm' | 'M')) => (&s[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let n: usize = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (examples: 65536, 64K, 8M, 1G)"))?;
    n.checked_mul(mult)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("'{s}' is out of range"))
}

impl PipelineArgs {
    /// The library configuration these options describe.
    pub fn to_config(&self) -> Result<Config, String> {
        let forced = match &self.encoding {
            None => None,
            Some(label) => Some(encoding_for_label(label).ok_or_else(|| {
                format!("--encoding: unknown encoding label '{label}' (try utf-8, windows-1252, shift_jis, gbk, utf-16le)")
            })?),
        };
        let form = if self.nfkc {
            UnicodeForm::Nfkc
        } else if self.no_unicode_normalisation {
            UnicodeForm::Keep
        } else {
            UnicodeForm::Nfc
        };
        Ok(Config {
            decode: DecodeOptions {
                forced,
                tld: self.tld.clone(),
                strict: self.strict,
            },
            repair: RepairOptions {
                mojibake: !self.no_mojibake,
                entities: !self.no_entities,
                strip_tags: !self.keep_tags,
            },
            normalise: NormaliseOptions {
                form,
                ascii_quotes: self.ascii_quotes,
            },
            repeat: RepeatOptions {
                enabled: !self.no_repeat,
                min_count: self.repeat_min,
                ..RepeatOptions::default()
            },
            strip: !self.no_strip,
            window: self.window,
            max_line: self.max_line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("8m"), Ok(8 << 20));
        assert!(parse_size("eight").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn shards_and_shares_parse() {
        assert_eq!(parse_shard("2/8"), Ok((2, 8)));
        assert!(parse_shard("8/8").is_err());
        assert!(parse_shard("x").is_err());
        assert_eq!(parse_share("0.25"), Ok(0.25));
        assert!(parse_share("2").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Opts::command().debug_assert();
    }
}

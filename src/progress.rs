//! The progress bar on standard error (indicatif): files, MB, MB/s, ETA.
//!
//! Why: a run over a million files or a 50 GB dump is silent for minutes;
//! a bar tells the user it is alive and when it will end. It is drawn only
//! when standard error is a terminal (so logs and pipes never see escape
//! codes) and the run is worth a bar (two or more files, or 16 MB of
//! input); `--progress` forces it, even into a pipe, and `--no-progress`
//! turns it off. Progress advances once per finished input (the library's
//! [`decruft::batch::Report::progress`] hook), so one huge file moves the
//! bar only when it ends; the spinner and the elapsed time still tick.
//!
//! Messages printed while the bar is up (`--explain`, per-file errors) go
//! through [`Progress::suspend`], which hides the bar for the write, so the
//! bar and the messages never share a line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// A bar when standard error is a terminal and the run is long enough.
    Auto,
    /// Always a bar (even into a pipe or a file).
    Always,
    /// Never a bar.
    Never,
}

impl When {
    /// From `--progress` / `--no-progress` (the later one wins in clap).
    pub fn from_flags(on: bool, off: bool) -> When {
        match (on, off) {
            (true, _) => When::Always,
            (_, true) => When::Never,
            _ => When::Auto,
        }
    }
}

/// Below this much input, a single file gets no bar in `Auto` mode.
const BIG_INPUT: u64 = 16 << 20;

/// A progress bar, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// No bar.
    pub fn none() -> Progress {
        Progress { bar: None }
    }

    /// A bar for `files` inputs of `bytes` bytes in all, if `when` allows.
    pub fn new(when: When, files: u64, bytes: u64) -> Progress {
        let show = match when {
            When::Never => false,
            When::Always => true,
            When::Auto => io::stderr().is_terminal() && (files >= 2 || bytes >= BIG_INPUT),
        };
        if !show {
            return Progress::none();
        }
        let target = if io::stderr().is_terminal() {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            // indicatif hides itself off a terminal; --progress asked for it.
            ProgressDrawTarget::term_like_with_hz(Box::new(Stderr), 10)
        };
        let bar = ProgressBar::with_draw_target(Some(bytes), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} ",
            )
            .expect("progress template parses")
            .progress_chars("=> "),
        );
        bar.set_message(format!("0/{files} files"));
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// Shows a phase before the per-file bar starts (the learning pass).
    pub fn phase(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
        }
    }

    /// One more input is done.
    pub fn file_done(&self, bytes: u64, done: u64, files: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(format!("{done}/{files} files"));
        }
    }

    /// Runs `f` (a write to standard error) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Standard error as indicatif's terminal, for `--progress` off a terminal.
#[derive(Debug)]
struct Stderr;

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            write!(io::stderr(), "\x1b[{n}A")?;
        }
        Ok(())
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            write!(io::stderr(), "\x1b[{n}B")?;
        }
        Ok(())
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            write!(io::stderr(), "\x1b[{n}C")?;
        }
        Ok(())
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            write!(io::stderr(), "\x1b[{n}D")?;
        }
        Ok(())
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        writeln!(io::stderr(), "{s}")
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        write!(io::stderr(), "{s}")
    }
    fn clear_line(&self) -> io::Result<()> {
        write!(io::stderr(), "\r\x1b[2K")
    }
    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}

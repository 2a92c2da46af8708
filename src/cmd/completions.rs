//! `decruft completions SHELL` and `decruft man`: shell completions and the
//! man page, generated from the clap definition so they never drift from
//! the real options (clap_complete, clap_mangen).

use super::{Exit, Failure, io_failure};
use crate::cli::{CompletionsArgs, Opts, ShellArg};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};

/// Writes the completion script for one shell to standard output.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, Failure> {
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Elvish => Shell::Elvish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut cmd = Opts::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "decruft", &mut out);
    io::stdout().lock().write_all(&out).map_err(io_failure)?;
    Ok(Exit::Ok)
}

/// Writes the man page (section 1, roff) to standard output.
pub fn man() -> Result<Exit, Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Opts::command())
        .render(&mut out)
        .map_err(io_failure)?;
    io::stdout().lock().write_all(&out).map_err(io_failure)?;
    Ok(Exit::Ok)
}

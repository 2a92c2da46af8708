//! The decruft binary: parse options, run the command, map the outcome to
//! an exit code. All the work is in the library; `cmd/` holds one module
//! per command, as in xsv.

mod cli;
mod cmd;
mod progress;

use clap::Parser;
use cli::{Command, Opts};
use cmd::{Exit, Failure};
use std::process::ExitCode;

fn main() -> ExitCode {
    let opts = Opts::parse();
    cmd::pipes::widen_std_pipes();
    let result = match &opts.command {
        None => cmd::clean::run(&opts.clean),
        Some(Command::Learn(args)) => cmd::learn::run(args),
        Some(Command::Report(args)) => cmd::report::run(args),
        Some(Command::Completions(args)) => cmd::completions::completions(args),
        Some(Command::Man) => cmd::completions::man(),
    };
    let code = match result {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            eprintln!("decruft: {msg}");
            Exit::Usage
        }
        // A closed pipe (`decruft big.txt | head`) is how a reader says it
        // has enough: end quietly and successfully.
        Err(Failure::BrokenPipe) => Exit::Ok,
        Err(Failure::Fatal(msg)) => {
            eprintln!("decruft: {msg}");
            Exit::SomeFailed
        }
    };
    ExitCode::from(code as u8)
}

//! Running the binary without the privileges that ignore file modes, so
//! that the permission tests run for real as root, which is how CI runs.
//!
//! Root reads a mode-000 file through CAP_DAC_OVERRIDE and
//! CAP_DAC_READ_SEARCH. util-linux's `setpriv` takes both out of the
//! bounding set before it runs the binary, which then, though still uid 0
//! and owner of the test's files, meets their modes as any user does.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

/// The capabilities that let a process open a file whatever its mode.
const DROP: &str = "-dac_override,-dac_read_search";

/// A command that runs `program` unable to open a mode-000 file: `program`
/// itself when this process cannot open one either, `program` under
/// `setpriv` when it can (root). `None`, after saying why on standard
/// error, when neither works (privileged, and `setpriv` missing or not
/// allowed to drop capabilities), except under CI, where that fails the
/// test. `scratch` is a folder for a probe file.
pub fn command(program: &Path, scratch: &Path) -> Option<Command> {
    use std::os::unix::fs::PermissionsExt;
    let probe = scratch.join(".unprivileged-probe");
    fs::write(&probe, "x").expect("write probe");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod probe");
    let found = if fs::File::open(&probe).is_err() {
        Some(Command::new(program))
    } else if setpriv().arg("true").status().is_ok_and(|s| s.success())
        && setpriv()
            .arg("cat")
            .arg(&probe)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| !s.success())
    {
        let mut cmd = setpriv();
        cmd.arg(program);
        Some(cmd)
    } else {
        let why = format!(
            "this process reads mode-000 files (root?) and `setpriv {DROP}` could not \
             take that away"
        );
        // CI runs as root on a machine where this works: a skip there would
        // hide the permission case for good.
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}; the permission case cannot be tested here");
        None
    };
    fs::remove_file(&probe).expect("remove probe");
    found
}

fn setpriv() -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        &format!("--bounding-set={DROP}"),
        &format!("--inh-caps={DROP}"),
        "--",
    ]);
    cmd
}

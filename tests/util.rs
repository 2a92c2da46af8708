//! Test harness for the `decruft` binary, after ripgrep's `tests/util.rs`
//! and fd's `tests/testenv`.
//!
//! Every test gets a fresh [`Dir`] (a temporary folder that is removed when
//! the test ends) and a [`TestCommand`] on the built executable
//! (`CARGO_BIN_EXE_decruft`) whose working folder is that temporary folder,
//! so tests use short relative paths and never see each other's files.
//! Standard input is fed from a thread ([`TestCommand::pipe`]) so a child
//! that fills its stdout pipe before reading all of stdin cannot deadlock
//! the test. A failed expectation panics with everything needed to debug it
//! without re-running: the command line, the folder's files, stdout, stderr
//! and, for text comparisons, a line diff.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;

#[path = "it/unprivileged.rs"]
mod unprivileged;

/// The executable under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_decruft");

/// Defines a `#[test]` that gets a fresh [`Dir`] and a [`TestCommand`] in it.
///
/// ```ignore
/// dtest!(file_to_stdout, |dir, cmd| {
///     dir.create("a.txt", "Hello\n");
///     eqnice!("Hello\n", cmd.arg("a.txt").stdout());
/// });
/// ```
macro_rules! dtest {
    ($(#[$attr:meta])* $name:ident, |$dir:ident, $cmd:ident| $body:block) => {
        $(#[$attr])*
        #[test]
        fn $name() {
            let $dir = $crate::util::Dir::new(stringify!($name));
            #[allow(unused_mut, unused_variables)]
            let mut $cmd = $dir.command();
            $body
        }
    };
}

/// `assert_eq!` for text: on mismatch prints both sides framed and a line
/// diff, so a single changed line in a long document is easy to spot.
macro_rules! eqnice {
    ($expected:expr, $got:expr) => {{
        let expected: &str = &$expected;
        let got: &str = &$got;
        if expected != got {
            panic!(
                "\n{}",
                $crate::util::text_mismatch("text differs", expected, got)
            );
        }
    }};
}

/// A temporary folder for one test.
#[derive(Debug)]
pub struct Dir {
    root: tempfile::TempDir,
    name: String,
}

impl Dir {
    /// A fresh, empty folder named after the test.
    pub fn new(name: &str) -> Dir {
        let root = tempfile::Builder::new()
            .prefix(&format!("decruft-it-{name}-"))
            .tempdir()
            .expect("create temporary test folder");
        Dir {
            root,
            name: name.to_string(),
        }
    }

    /// The folder's absolute path.
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// `path()` joined with a relative name.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path().join(name)
    }

    /// Writes a file (creating parent folders) with exactly these bytes.
    pub fn create(&self, name: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Reads a file as UTF-8 text; panics with the listing if it is missing.
    pub fn read(&self, name: impl AsRef<Path>) -> String {
        let bytes = self.read_bytes(name.as_ref());
        String::from_utf8(bytes)
            .unwrap_or_else(|_| panic!("{} is not UTF-8", name.as_ref().display()))
    }

    /// Reads a file's bytes; panics with the listing if it is missing.
    pub fn read_bytes(&self, name: impl AsRef<Path>) -> Vec<u8> {
        let path = self.join(name);
        fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}\n\nfolder:\n{}",
                path.display(),
                self.listing()
            )
        })
    }

    /// Does this relative path exist?
    pub fn exists(&self, name: impl AsRef<Path>) -> bool {
        self.join(name).exists()
    }

    /// Every file under the folder with its size, one per line, sorted:
    /// `sub/b.txt (12 bytes)`. Folders end with `/`.
    pub fn listing(&self) -> String {
        Dir::listing_of(self.path())
    }

    /// Relative paths under the folder (with `/` separators), sorted, with
    /// the size of each file (`None` for folders).
    pub fn files(&self) -> Vec<(String, Option<u64>)> {
        let mut found = Vec::new();
        collect(self.path(), self.path(), &mut found);
        found.sort();
        found
    }

    /// Relative paths and contents of every file under `sub`, sorted.
    pub fn snapshot(&self, sub: impl AsRef<Path>) -> Vec<(String, Vec<u8>)> {
        let base = self.join(sub);
        let mut found = Vec::new();
        collect(&base, &base, &mut found);
        let mut snap: Vec<_> = found
            .into_iter()
            .filter(|(_, size)| size.is_some())
            .map(|(rel, _)| {
                let bytes = fs::read(base.join(&rel)).expect("read snapshot file");
                (rel, bytes)
            })
            .collect();
        snap.sort();
        snap
    }

    /// A command on the decruft binary, run inside this folder.
    pub fn command(&self) -> TestCommand {
        self.wrap(Command::new(BIN))
    }

    /// The same, unable to open files of mode 000 even when the tests run
    /// as root (see `it/unprivileged.rs`); `None` where that cannot be
    /// arranged, after saying so.
    pub fn unprivileged_command(&self) -> Option<TestCommand> {
        unprivileged::command(Path::new(BIN), self.path()).map(|cmd| self.wrap(cmd))
    }

    fn wrap(&self, mut cmd: Command) -> TestCommand {
        cmd.current_dir(self.path());
        TestCommand {
            cmd,
            root: self.path().to_path_buf(),
            test: self.name.clone(),
            input: None,
        }
    }
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, Option<u64>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            out.push((rel, None));
            collect(base, &path, out);
        } else {
            out.push((rel, Some(meta.len())));
        }
    }
}

/// A `Command` on the binary plus what the harness needs to explain a
/// failure.
#[derive(Debug)]
pub struct TestCommand {
    cmd: Command,
    root: PathBuf,
    test: String,
    input: Option<Vec<u8>>,
}

/// Everything a finished run produced.
#[derive(Debug)]
pub struct Outcome {
    /// Exit status.
    pub status: ExitStatus,
    /// Standard output, raw.
    pub stdout_bytes: Vec<u8>,
    /// Standard output, decoded lossily.
    pub stdout: String,
    /// Standard error, decoded lossily.
    pub stderr: String,
    /// Command line and folder listing, for failure messages.
    context: String,
}

impl TestCommand {
    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    /// Adds several arguments.
    pub fn args<I, A>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = A>,
        A: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Sets the bytes fed to standard input by [`TestCommand::output`] and
    /// the helpers built on it (default: no stdin at all).
    pub fn stdin(&mut self, input: impl AsRef<[u8]>) -> &mut TestCommand {
        self.input = Some(input.as_ref().to_vec());
        self
    }

    /// The underlying command, e.g. to spawn it with custom pipes.
    pub fn raw(&mut self) -> &mut Command {
        &mut self.cmd
    }

    /// The command line as a shell would show it.
    pub fn describe(&self) -> String {
        let mut s = format!("{}", Path::new(self.cmd.get_program()).display());
        for a in self.cmd.get_args() {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
                write!(s, " '{}'", a.replace('\'', r"'\''")).unwrap();
            } else {
                write!(s, " {a}").unwrap();
            }
        }
        if self.input.is_some() {
            s.push_str(" < (stdin bytes)");
        }
        s
    }

    fn context(&self) -> String {
        let dir = Dir::listing_of(&self.root);
        format!(
            "test:    {}\ncommand: {}\ncwd:     {}\nfolder:\n{}",
            self.test,
            self.describe(),
            self.root.display(),
            dir
        )
    }

    /// Runs the command to completion, feeding the configured stdin from a
    /// thread. Never asserts anything.
    pub fn output(&mut self) -> Outcome {
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.cmd.stdin(if self.input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.describe()));
        let writer = match (self.input.clone(), child.stdin.take()) {
            (Some(bytes), Some(mut stdin)) => Some(thread::spawn(move || {
                // The child may legitimately stop reading early (an error,
                // a usage failure); a broken pipe here is not a test failure.
                let _ = stdin.write_all(&bytes);
            })),
            _ => None,
        };
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for {}: {e}", self.describe()));
        if let Some(w) = writer {
            w.join().expect("stdin writer thread panicked");
        }
        Outcome {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stdout_bytes: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            context: self.context(),
        }
    }

    /// Runs, expects exit status 0, returns standard output.
    #[track_caller]
    pub fn stdout(&mut self) -> String {
        self.assert_exit(0).stdout
    }

    /// Feeds `input` on standard input, expects exit 0, returns stdout.
    #[track_caller]
    pub fn pipe(&mut self, input: impl AsRef<[u8]>) -> String {
        self.stdin(input).stdout()
    }

    /// Runs, expects a non-zero exit status, returns standard error.
    #[track_caller]
    pub fn stderr(&mut self) -> String {
        let out = self.output();
        if out.status.success() {
            out.fail("expected a non-zero exit status");
        }
        out.stderr
    }

    /// Runs and expects exactly this exit status.
    #[track_caller]
    pub fn assert_exit(&mut self, code: i32) -> Outcome {
        let out = self.output();
        if out.status.code() != Some(code) {
            out.fail(&format!("expected exit status {code}"));
        }
        out
    }
}

impl Dir {
    fn listing_of(root: &Path) -> String {
        let mut found = Vec::new();
        collect(root, root, &mut found);
        found.sort();
        let mut out = String::new();
        for (rel, size) in found {
            match size {
                Some(n) => writeln!(out, "  {rel} ({n} bytes)").unwrap(),
                None => writeln!(out, "  {rel}/").unwrap(),
            }
        }
        if out.is_empty() {
            out.push_str("  (empty)\n");
        }
        out
    }
}

impl Outcome {
    /// Exit code (None if killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Panics with the full report and `why`.
    #[track_caller]
    pub fn fail(&self, why: &str) -> ! {
        panic!("\n{why}\n\n{}", self.report())
    }

    /// The report printed on failure.
    pub fn report(&self) -> String {
        format!(
            "{}status:  {}\n\n--- stdout ({} bytes) ---\n{}\n--- stderr ---\n{}\n--- end ---",
            self.context,
            self.status,
            self.stdout_bytes.len(),
            clip(&self.stdout),
            clip(&self.stderr)
        )
    }

    /// Standard output must equal `expected`; on mismatch shows a line diff.
    #[track_caller]
    pub fn assert_stdout(&self, expected: &str) -> &Outcome {
        if self.stdout != expected {
            panic!(
                "\n{}\n\n{}",
                text_mismatch("stdout differs", expected, &self.stdout),
                self.report()
            );
        }
        self
    }

    /// Standard error must contain `needle`.
    #[track_caller]
    pub fn assert_stderr_has(&self, needle: &str) -> &Outcome {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr does not contain {needle:?}"));
        }
        self
    }

    /// Standard output must contain `needle`.
    #[track_caller]
    pub fn assert_stdout_has(&self, needle: &str) -> &Outcome {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout does not contain {needle:?}"));
        }
        self
    }

    /// Standard error must be empty.
    #[track_caller]
    pub fn assert_quiet(&self) -> &Outcome {
        if !self.stderr.is_empty() {
            self.fail("expected empty stderr");
        }
        self
    }

    /// Standard output must be empty.
    #[track_caller]
    pub fn assert_no_stdout(&self) -> &Outcome {
        if !self.stdout_bytes.is_empty() {
            self.fail("expected empty stdout");
        }
        self
    }
}

/// Keeps failure messages readable when an output is megabytes long.
fn clip(s: &str) -> String {
    const MAX: usize = 8 << 10;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut cut = MAX;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n[... {} more bytes]", &s[..cut], s.len() - cut)
}

/// Both texts framed plus a line diff (`-` expected only, `+` got only).
pub fn text_mismatch(title: &str, expected: &str, got: &str) -> String {
    format!(
        "{title}\n\n--- diff (-expected +got) ---\n{}\n--- expected ({} bytes) ---\n{}\n--- got ({} bytes) ---\n{}\n--- end ---",
        line_diff(expected, got),
        expected.len(),
        clip(expected),
        got.len(),
        clip(got)
    )
}

/// A minimal line diff (longest common subsequence). Lines are shown with
/// `{:?}` so trailing spaces, tabs and invisible characters are visible;
/// a missing final newline shows as a last line without `\n`.
pub fn line_diff(expected: &str, got: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = got.split_inclusive('\n').collect();
    // Big inputs: the quadratic table would be too large; show the first
    // differing line instead.
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        return format!(
            "first difference at line {}:\n- {:?}\n+ {:?}\n",
            i + 1,
            a.get(i).copied().unwrap_or("<end>"),
            b.get(i).copied().unwrap_or("<end>")
        );
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            writeln!(out, "  {:?}", a[i]).unwrap();
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            writeln!(out, "- {:?}", a[i]).unwrap();
            i += 1;
        } else {
            writeln!(out, "+ {:?}", b[j]).unwrap();
            j += 1;
        }
    }
    out
}

/// Reads a child's stdout on a thread, sending chunks through a channel so
/// a test can wait with a timeout instead of blocking forever.
pub fn read_chunks<R: Read + Send + 'static>(
    mut reader: R,
) -> (
    std::sync::mpsc::Receiver<Vec<u8>>,
    thread::JoinHandle<std::io::Result<()>>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = thread::spawn(move || {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                return Ok(());
            }
        }
    });
    (rx, handle)
}

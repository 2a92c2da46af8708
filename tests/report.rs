//! Tests of issue 9: the review report, `--diff`, the progress bar and the
//! shell integration, against the built binary. The report's rendering in a
//! real browser is checked by `tests/browser/check.py` (run by
//! `.ci/browser`), which needs Chromium.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_decruft");

fn run(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("decruft runs");
    assert!(
        out.status.success(),
        "decruft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Inputs with the endings `patch` finds hard: CRLF, a lone last line,
/// a file that does not change, a nested folder.
fn dirty(dir: &Path) {
    fs::create_dir_all(dir.join("in/sub")).unwrap();
    fs::write(
        dir.join("in/crlf.txt"),
        "Storm hits coast\r\n\r\nAdvertisement\r\nHomes   were flooded overnight.\r\nShare this article Facebook Twitter Email\r\n",
    )
    .unwrap();
    fs::write(
        dir.join("in/nonl.txt"),
        "Council meets\n\nSubscribe to our newsletter\nThe vote was close",
    )
    .unwrap();
    fs::write(dir.join("in/same.txt"), "Nothing to clean here.\n").unwrap();
    fs::write(
        dir.join("in/sub/notice.txt"),
        "To view this content, you'll need to update your privacy settings.\nPlease click here to do so.\nBody text stays.\n\n\n\nEnd.  ",
    )
    .unwrap();
}

#[test]
fn diff_applied_with_patch_reproduces_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    dirty(dir);
    let diff = run(dir, &["--diff", "--color", "never", "in"]).stdout;
    let text = String::from_utf8_lossy(&diff);
    assert!(
        text.contains("--- in/crlf.txt\n+++ in/crlf.txt\n"),
        "{text}"
    );
    assert!(text.contains("\\ No newline at end of file"), "{text}");
    assert!(
        !text.contains("same.txt"),
        "an unchanged file has no diff: {text}"
    );
    assert!(!text.contains('\x1b'), "no colour with --color never");
    run(dir, &["in", "-o", "want"]);
    fs::write(dir.join("run.diff"), &diff).unwrap();
    let patched = Command::new("patch")
        .args(["-p0", "-s", "-i", "run.diff"])
        .current_dir(dir)
        .output()
        .expect("patch runs");
    assert!(
        patched.status.success(),
        "patch failed: {}",
        String::from_utf8_lossy(&patched.stdout)
    );
    for name in ["crlf.txt", "nonl.txt", "same.txt", "sub/notice.txt"] {
        let got = fs::read(dir.join("in").join(name)).unwrap();
        let want = fs::read(dir.join("want").join(name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "{name}: patched input differs from cleaned output"
        );
    }
}

#[test]
fn diff_colours_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    dirty(tmp.path());
    let piped = run(tmp.path(), &["--diff", "in/crlf.txt"]).stdout;
    assert!(!piped.contains(&0x1b), "auto colour is off in a pipe");
    let always = run(tmp.path(), &["--diff", "--color", "always", "in/crlf.txt"]).stdout;
    let text = String::from_utf8_lossy(&always);
    assert!(text.contains("\x1b[31m-Advertisement"), "{text}");
}

#[test]
fn diff_of_standard_input_patches_a_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let input = "Title\r\nAdvertisement\r\nLast line";
    let mut child = Command::new(BIN)
        .args(["--diff"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    fs::write(dir.join("copy.txt"), input).unwrap();
    fs::write(dir.join("stdin.diff"), &out.stdout).unwrap();
    let patched = Command::new("patch")
        .args(["-s", "copy.txt", "stdin.diff"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(patched.success());
    let want = Command::new(BIN)
        .current_dir(dir)
        .arg("copy.txt")
        .arg("--no-corpus")
        .output()
        .unwrap()
        .stdout;
    assert_eq!(fs::read(dir.join("copy.txt")).unwrap(), want);
}

/// Runs decruft under a pseudo-terminal (util-linux `script`), returning
/// everything the terminal showed.
fn under_pty(dir: &Path, args: &str) -> Option<String> {
    let cmd = format!("{BIN} {args} >/dev/null");
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn many_files(dir: &Path) {
    fs::create_dir_all(dir.join("in")).unwrap();
    for i in 0..40 {
        fs::write(
            dir.join(format!("in/{i:02}.txt")),
            format!("Story {i}\n\nAdvertisement\nText of story {i}.\n"),
        )
        .unwrap();
    }
}

#[test]
fn progress_bar_appears_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    many_files(tmp.path());
    let Some(screen) = under_pty(tmp.path(), "in") else {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    };
    assert!(screen.contains("files"), "no progress bar: {screen:?}");
    assert!(
        screen.contains("40/40 files") || screen.contains("/40 files"),
        "{screen:?}"
    );
    let off = under_pty(tmp.path(), "in --no-progress").unwrap();
    assert!(!off.contains("files"), "--no-progress still drew: {off:?}");
}

#[test]
fn progress_bar_never_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    many_files(tmp.path());
    let out = run(tmp.path(), &["in"]);
    assert!(
        out.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(tmp.path(), &["in", "--diff"]);
    assert!(out.stderr.is_empty());
    let out = run(tmp.path(), &["report", "in", "-o", "r.html"]);
    assert!(out.stderr.is_empty());
    // --progress forces it, even into a pipe.
    let out = run(tmp.path(), &["in", "--progress"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("files"));
}

#[test]
fn report_is_self_contained_and_counts_like_stats() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    dirty(dir);
    many_files(dir);
    let report = run(dir, &["report", "in", "-o", "r.html", "--stats=json"]);
    let clean = run(dir, &["in", "--stats=json"]);
    let json = |b: &[u8]| -> serde_json::Value {
        let line = String::from_utf8_lossy(b)
            .lines()
            .find(|l| l.starts_with('{'))
            .unwrap()
            .to_string();
        let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
        v["seconds"] = 0.into();
        v["mb_per_s"] = 0.into();
        v
    };
    assert_eq!(json(&report.stderr), json(&clean.stderr));
    let html = fs::read_to_string(dir.join("r.html")).unwrap();
    let stats = json(&clean.stderr);
    for key in [
        "files",
        "documents",
        "bytes_in",
        "bytes_out",
        "lines_in",
        "lines_kept",
    ] {
        let cell = format!("data-stat=\"{key}\">{}<", stats[key]);
        assert!(html.contains(&cell), "summary lacks {cell}");
    }
    // No network: nothing is loaded from anywhere.
    for needle in ["http://", "https://", "src=\"", "<link rel=\"stylesheet\""] {
        assert!(!html.contains(needle), "report refers to {needle}");
    }
    assert!(html.contains("<svg class=\"chart\""));
    assert!(html.contains("in/sub/notice.txt"));
    // Nothing but the report was written.
    assert!(!dir.join("want").exists());
    assert_eq!(
        fs::read_to_string(dir.join("in/sub/notice.txt"))
            .unwrap()
            .lines()
            .next(),
        Some("To view this content, you'll need to update your privacy settings.")
    );
}

#[test]
fn report_sample_bounds_embedded_documents() {
    let tmp = tempfile::tempdir().unwrap();
    many_files(tmp.path());
    run(
        tmp.path(),
        &["report", "in", "-o", "r.html", "--sample", "3"],
    );
    let html = fs::read_to_string(tmp.path().join("r.html")).unwrap();
    assert!(html.contains("3 documents embedded"), "sample not applied");
    assert!(
        html.contains("data-stat=\"files\">40<"),
        "summary must count all"
    );
}

#[test]
fn report_refuses_standard_input() {
    let out = Command::new(BIN)
        .args(["report", "-", "-o", "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_and_man_page() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(tmp.path(), &["completions", shell]).stdout;
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("decruft"), "{shell}");
        assert!(text.contains("--diff") || text.contains("diff"), "{shell}");
        assert!(text.contains("report"), "{shell}: subcommands");
    }
    let man = run(tmp.path(), &["man"]).stdout;
    let man = String::from_utf8_lossy(&man);
    assert!(
        man.starts_with(".ie") || man.contains(".TH decruft"),
        "{man}"
    );
    assert!(man.contains("diff"));
}

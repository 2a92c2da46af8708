//! Many inputs and big inputs: deterministic output whatever `-j`,
//! summed statistics, streaming standard input, and a quiet end when the
//! reader closes the pipe.

use crate::hay;
use crate::util::{Dir, read_chunks};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

/// Generous bound for "output arrives"; only there so a broken build fails
/// instead of hanging the suite. Not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(60);

/// A tree of 16 files (three fixtures and generated articles, nested) and
/// the expected stdout for `decruft corpus` (files in sorted path order).
/// No fixture is copied more than four times, below the default
/// `--min-docs` of corpus learning, so only issue 2's rules apply.
fn corpus(dir: &Dir) -> String {
    let mut files = Vec::new();
    for i in 0..16u64 {
        let (text, clean) = match i % 4 {
            0 => (hay::FLOOD.to_string(), hay::FLOOD_CLEAN.to_string()),
            1 => (hay::COUNCIL.to_string(), hay::COUNCIL_CLEAN.to_string()),
            2 => (hay::MATCH.to_string(), hay::MATCH_CLEAN.to_string()),
            _ => {
                let g = hay::generated(8_000 + 2_000 * i as usize, i);
                (g.clone(), g)
            }
        };
        let rel = format!("corpus/part{}/day{:02}/story{:02}.txt", i % 3, i % 5, i);
        dir.create(&rel, text);
        files.push((rel, clean));
    }
    files.sort();
    files.into_iter().map(|(_, clean)| clean).collect()
}

fn without_timing(mut json: serde_json::Value) -> serde_json::Value {
    let obj = json.as_object_mut().expect("stats object");
    obj.remove("seconds");
    obj.remove("mb_per_s");
    json
}

dtest!(stdout_is_identical_for_j1_and_j2, |dir, cmd| {
    let expected = corpus(&dir);
    let one = cmd.args(["-j1", "--stats=json", "corpus"]).assert_exit(0);
    let two = dir
        .command()
        .args(["-j2", "--stats=json", "corpus"])
        .assert_exit(0);
    one.assert_stdout(&expected);
    two.assert_stdout(&one.stdout);
    let stats = |s: &str| without_timing(serde_json::from_str(s.trim()).unwrap());
    assert_eq!(stats(&one.stderr), stats(&two.stderr));
    let json = stats(&two.stderr);
    assert_eq!(json["files"], 16, "{json}");
    assert_eq!(
        json["bytes_out"].as_u64(),
        Some(expected.len() as u64),
        "{json}"
    );
});

dtest!(output_dir_is_identical_for_j1_and_j2, |dir, cmd| {
    corpus(&dir);
    cmd.args(["-j1", "corpus", "-o", "out1"]).assert_exit(0);
    dir.command()
        .args(["-j2", "corpus", "-o", "out2"])
        .assert_exit(0);
    let (a, b) = (dir.snapshot("out1"), dir.snapshot("out2"));
    assert_eq!(a.len(), 16, "{}", dir.listing());
    assert!(
        a == b,
        "-j1 and -j2 wrote different trees\n{}",
        dir.listing()
    );
    eqnice!(hay::COUNCIL_CLEAN, dir.read("out1/part1/day01/story01.txt"));
});

dtest!(in_place_over_a_folder_with_two_threads, |dir, cmd| {
    let expected = corpus(&dir);
    cmd.args(["-j2", "--in-place", "corpus"])
        .assert_exit(0)
        .assert_no_stdout();
    let now: String = dir
        .snapshot("corpus")
        .into_iter()
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    eqnice!(expected, now);
    assert_eq!(dir.snapshot("corpus").len(), 16, "{}", dir.listing());
});

dtest!(stats_sum_over_files_and_failures, |dir, cmd| {
    corpus(&dir);
    dir.create("bin.dat", b"\0\0\0\0binary");
    let out = cmd
        .args(["-j2", "--stats=json", "corpus", "missing.txt", "bin.dat"])
        .assert_exit(1);
    let json: serde_json::Value = serde_json::from_str(out.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(json["files"], 16, "{json}");
    assert_eq!(json["files_failed"], 2, "{json}");
    let removed = json["lines_removed"].as_object().unwrap();
    // 4 copies each of FLOOD (1 advertisement) and COUNCIL (2 privacy-notice).
    assert_eq!(removed["advertisement"], 4, "{json}");
    assert_eq!(removed["privacy-notice"], 8, "{json}");
});

dtest!(broken_pipe_ends_quietly, |dir, cmd| {
    let big = hay::generated(20 << 20, 7);
    let first = big.lines().next().unwrap().to_string();
    dir.create("big.txt", &big);
    let mut child = cmd
        .raw()
        .arg("big.txt")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line.trim_end(), first);
    // `| head -1`: the reader goes away with megabytes still to come.
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "status {}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "stderr must be empty"
    );
});

dtest!(broken_pipe_with_many_files_ends_quietly, |dir, cmd| {
    // 1.2 MB in all, far more than a pipe buffer holds.
    for i in 0..12 {
        dir.create(format!("in/{i:02}.txt"), hay::generated(100_000, i));
    }
    let mut child = cmd
        .raw()
        .args(["-j2", "in"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("Update 1:"), "{line:?}");
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "status {}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "stderr must be empty"
    );
});

dtest!(stdin_streams_before_input_ends, |dir, cmd| {
    // Seven windows' worth of input; stdin stays open until output shows.
    // With two threads, output lags input by at most four windows (two
    // judged, two read ahead): the first must show.
    let input = hay::generated(7 * (64 << 10), 3);
    let mut child = cmd
        .raw()
        .args(["--window", "64K", "-j2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (close_tx, close_rx) = mpsc::channel::<()>();
    let to_write = input.clone();
    let writer = std::thread::spawn(move || {
        stdin.write_all(to_write.as_bytes()).unwrap();
        stdin.flush().unwrap();
        // Hold stdin open: decruft must not wait for the end of input.
        let _ = close_rx.recv_timeout(PATIENCE);
        drop(stdin);
    });
    let (chunks, reader) = read_chunks(child.stdout.take().unwrap());
    let first = match chunks.recv_timeout(PATIENCE) {
        Ok(chunk) => chunk,
        Err(_) => {
            let _ = child.kill();
            let _ = close_tx.send(());
            panic!("no output while standard input was still open");
        }
    };
    assert!(!first.is_empty());
    let mut got = first;
    close_tx.send(()).unwrap();
    writer.join().unwrap();
    for chunk in chunks.iter() {
        got.extend_from_slice(&chunk);
    }
    reader.join().unwrap().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    eqnice!(input, String::from_utf8(got).unwrap());
});

// One input of several windows of the default 1 MiB, which `-j2` judges on
// two threads at once while one thread reads and writes: output,
// statistics and explanations match `-j1` exactly, including notices
// repeated across window edges.
dtest!(one_big_file_is_identical_for_j1_and_j2, |dir, cmd| {
    let mut text = String::new();
    for i in 0..80u64 {
        text.push_str(hay::FLOOD);
        text.push_str(&hay::generated(40_000, i));
    }
    assert!(text.len() > 3 << 20, "big enough to be cut: {}", text.len());
    dir.create("big.txt", &text);
    let run = |jobs: &str| {
        dir.command()
            .args([jobs, "--stats=json", "big.txt"])
            .assert_exit(0)
    };
    let (one, two) = (run("-j1"), run("-j2"));
    drop(cmd);
    assert!(one.stdout.len() < text.len(), "something was removed");
    two.assert_stdout(&one.stdout);
    let stats = |s: &str| without_timing(serde_json::from_str(s.trim()).unwrap());
    assert_eq!(stats(&one.stderr), stats(&two.stderr));
    let explain = |jobs: &str| {
        dir.command()
            .args([jobs, "--explain", "big.txt"])
            .assert_exit(0)
            .stderr
    };
    let (e1, e2) = (explain("-j1"), explain("-j2"));
    assert!(
        e1.contains("repeated-in-document"),
        "{}",
        &e1[..e1.len().min(500)]
    );
    assert_eq!(e1, e2);
});

// A document of many windows: with `-j2` and more, windows are judged and
// settled on every thread while one thread reads ahead and writes.
// Output, statistics and explanations match `-j1` exactly,
// on standard output, into a folder and from standard input, including
// notices repeated across window edges, mojibake and an invalid byte in a
// later window.
dtest!(many_windows_are_identical_for_j1_and_more, |dir, cmd| {
    let mut text = String::new();
    for i in 0..60u64 {
        text.push_str(hay::FLOOD);
        text.push_str(&hay::generated(30_000, i));
        if i % 7 == 3 {
            text.push_str("The minister\u{e2}\u{20ac}\u{2122}s office said the \u{c3}\u{a9}t\u{c3}\u{a9} season was over.\n");
        }
    }
    let mut bytes = text.into_bytes();
    let at = bytes.len() * 3 / 4;
    let at = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.splice(
        at..at,
        b"caf\xe9 au lait, a stray Latin-1 byte\n".iter().copied(),
    );
    assert!(bytes.len() > 1 << 20, "several windows: {}", bytes.len());
    dir.create("many.txt", &bytes);
    let run = |jobs: &str, extra: &[&str]| {
        let mut c = dir.command();
        c.args([jobs, "--window", "128K", "--stats=json"])
            .args(extra);
        c.arg("many.txt").assert_exit(0)
    };
    drop(cmd);
    let one = run("-j1", &[]);
    assert!(one.stdout.len() < bytes.len(), "something was removed");
    let stats = |s: &str| without_timing(serde_json::from_str(s.trim()).unwrap());
    for jobs in ["-j2", "-j3"] {
        let more = run(jobs, &[]);
        more.assert_stdout(&one.stdout);
        assert_eq!(stats(&one.stderr), stats(&more.stderr), "{jobs}");
    }
    let explain = |jobs: &str| {
        dir.command()
            .args([jobs, "--window", "128K", "--explain", "many.txt"])
            .assert_exit(0)
            .stderr
    };
    let e1 = explain("-j1");
    assert!(
        e1.contains("repeated-in-document"),
        "{}",
        &e1[..e1.len().min(500)]
    );
    assert_eq!(e1, explain("-j2"));
    // Into a folder, and from standard input.
    run("-j2", &["-o", "out"]);
    assert_eq!(dir.read("out/many.txt"), one.stdout);
    let piped = dir
        .command()
        .args(["-j2", "--window", "128K", "-"])
        .stdin(&bytes)
        .assert_exit(0);
    piped.assert_stdout(&one.stdout);
});

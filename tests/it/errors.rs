//! Exit codes and bad input: every problem is one line naming the file and
//! the cause, and the run goes on with the other inputs.

use crate::hay;

dtest!(exit_zero_when_all_is_well, |dir, cmd| {
    dir.create("a.txt", hay::MATCH);
    cmd.arg("a.txt").assert_exit(0).assert_quiet();
});

dtest!(missing_file_exit_one_others_still_cleaned, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    dir.create("c.txt", hay::MATCH);
    let out = cmd.args(["a.txt", "missing.txt", "c.txt"]).assert_exit(1);
    out.assert_stdout(&[hay::FLOOD_CLEAN, hay::MATCH_CLEAN].concat())
        .assert_stderr_has("missing.txt")
        .assert_stderr_has("no such file");
    assert_eq!(out.stderr.lines().count(), 1, "one line\n{}", out.report());
});

dtest!(missing_file_with_output_dir, |dir, cmd| {
    dir.create("a.txt", hay::COUNCIL);
    let out = cmd
        .args(["missing.txt", "a.txt", "-o", "out"])
        .assert_exit(1);
    out.assert_stderr_has("missing.txt");
    eqnice!(hay::COUNCIL_CLEAN, dir.read("out/a.txt"));
    assert!(!dir.exists("out/missing.txt"));
});

/// Makes `path` mode 000 and returns a command that cannot open it (run
/// without root's file privileges where the tests run as root).
#[cfg(unix)]
fn locked_out(dir: &crate::util::Dir, path: &std::path::Path) -> Option<crate::util::TestCommand> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    dir.unprivileged_command()
}

#[cfg(unix)]
dtest!(unreadable_file_exit_one_others_still_cleaned, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    let locked = dir.create("locked.txt", hay::COUNCIL);
    dir.create("z.txt", hay::MATCH);
    let Some(mut cmd) = locked_out(&dir, &locked) else {
        return;
    };
    let out = cmd.args(["a.txt", "locked.txt", "z.txt"]).assert_exit(1);
    out.assert_stdout(&[hay::FLOOD_CLEAN, hay::MATCH_CLEAN].concat())
        .assert_stderr_has("locked.txt")
        .assert_stderr_has("permission denied");
    assert_eq!(out.stderr.lines().count(), 1, "one line\n{}", out.report());
});

#[cfg(unix)]
dtest!(unreadable_file_inside_folder_with_output_dir, |dir, cmd| {
    dir.create("in/a.txt", hay::FLOOD);
    let locked = dir.create("in/locked.txt", hay::COUNCIL);
    let Some(mut cmd) = locked_out(&dir, &locked) else {
        return;
    };
    let out = cmd.args(["in", "-o", "out"]).assert_exit(1);
    out.assert_stderr_has("locked.txt");
    eqnice!(hay::FLOOD_CLEAN, dir.read("out/a.txt"));
    assert!(!dir.exists("out/locked.txt"), "{}", dir.listing());
});

dtest!(unknown_flag_is_usage_error, |dir, cmd| {
    let out = cmd.arg("--no-such-flag").stdin(hay::MATCH).assert_exit(2);
    out.assert_no_stdout().assert_stderr_has("--no-such-flag");
    // Misspelt flags are usage errors too, and say so on stderr.
    let err = dir.command().args(["--explian", "-"]).stderr();
    assert!(err.contains("--explian"), "{err}");
});

dtest!(output_inside_input_folder_is_refused, |dir, cmd| {
    dir.create("in/a.txt", hay::FLOOD);
    dir.create("in/sub/b.txt", hay::MATCH);
    let before = dir.snapshot("in");
    let out = cmd.args(["in", "-o", "in/cleaned"]).assert_exit(2);
    out.assert_stderr_has("in");
    assert_eq!(
        before,
        dir.snapshot("in"),
        "nothing may be written into the input"
    );
    assert!(!dir.exists("in/cleaned"), "{}", dir.listing());
    // The input folder itself as output is refused the same way.
    dir.command().args(["in", "-o", "in"]).assert_exit(2);
    dir.command().args(["in", "-o", "in/sub"]).assert_exit(2);
    assert_eq!(before, dir.snapshot("in"));
});

dtest!(output_dir_never_writes_into_the_input_tree, |dir, cmd| {
    dir.create("in/a.txt", hay::FLOOD);
    dir.create("in/deep/b.txt", hay::COUNCIL);
    dir.create("c.txt", hay::MATCH);
    let before = dir.snapshot("in");
    let c_before = dir.read("c.txt");
    cmd.args(["in", "c.txt", "-o", "out"]).assert_exit(0);
    assert_eq!(before, dir.snapshot("in"), "input tree changed");
    eqnice!(c_before, dir.read("c.txt"));
    assert_eq!(dir.snapshot("out").len(), 3, "{}", dir.listing());
});

dtest!(
    file_given_with_output_dir_equal_to_its_folder_is_not_overwritten,
    |dir, cmd| {
        dir.create("a.txt", hay::FLOOD);
        // `-o .` would map a.txt onto itself.
        let out = cmd.args(["a.txt", "-o", "."]).output();
        assert_ne!(out.code(), Some(0), "{}", out.report());
        eqnice!(hay::FLOOD, dir.read("a.txt"));
    }
);

dtest!(in_place_with_stdin_is_usage_error, |dir, cmd| {
    cmd.arg("--in-place").stdin(hay::MATCH).assert_exit(2);
    let out = dir
        .command()
        .args(["--in-place", "-"])
        .stdin(hay::MATCH)
        .assert_exit(2);
    out.assert_no_stdout().assert_stderr_has("standard input");
});

dtest!(output_dir_with_stdin_is_usage_error, |dir, cmd| {
    cmd.args(["-", "-o", "out"])
        .stdin(hay::MATCH)
        .assert_exit(2);
    assert!(!dir.exists("out"));
});

dtest!(bad_encoding_label_is_usage_error, |dir, cmd| {
    dir.create("a.txt", hay::MATCH);
    let out = cmd
        .args(["--encoding", "klingon-8", "a.txt"])
        .assert_exit(2);
    out.assert_no_stdout().assert_stderr_has("klingon-8");
});

dtest!(zero_window_and_zero_threads_are_usage_errors, |dir, cmd| {
    dir.create("a.txt", hay::MATCH);
    cmd.args(["--window", "0", "a.txt"])
        .assert_exit(2)
        .assert_stderr_has("--window");
    dir.command()
        .args(["-j", "0", "a.txt"])
        .assert_exit(2)
        .assert_no_stdout();
    dir.command()
        .args(["--window", "lots", "a.txt"])
        .assert_exit(2);
});

dtest!(binary_file_is_skipped_with_a_warning, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    let mut blob = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    blob.extend_from_slice(&[0u8; 64]);
    dir.create("image.png", &blob);
    dir.create("c.txt", hay::MATCH);
    let out = cmd.args(["a.txt", "image.png", "c.txt"]).assert_exit(1);
    out.assert_stdout(&[hay::FLOOD_CLEAN, hay::MATCH_CLEAN].concat())
        .assert_stderr_has("image.png")
        .assert_stderr_has("binary");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.report());
});

dtest!(binary_file_in_folder_leaves_no_output_file, |dir, cmd| {
    dir.create("in/a.txt", hay::FLOOD);
    dir.create("in/data.bin", b"text first\n\0\0\0\x01\x02 then binary\n");
    let out = cmd.args(["in", "-o", "out"]).assert_exit(1);
    out.assert_stderr_has("data.bin");
    eqnice!(hay::FLOOD_CLEAN, dir.read("out/a.txt"));
    let names: Vec<String> = dir.snapshot("out").into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["a.txt"], "{}", dir.listing());
});

dtest!(windows_1252_input_is_decoded_to_utf8, |dir, cmd| {
    let bytes = hay::cp1252(hay::FRENCH);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    dir.create("cafe.txt", &bytes);
    let out = cmd.args(["--stats=json", "cafe.txt"]).assert_exit(0);
    out.assert_stdout(&format!("{}\n", hay::FRENCH));
    let json_line = out.stderr.lines().last().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(json_line).unwrap();
    assert_eq!(json["replacement_chars"], 0, "{json}");
    assert_eq!(
        json["bytes_in"].as_u64(),
        Some(bytes.len() as u64),
        "{json}"
    );
    let encodings = json["encodings"].as_object().unwrap();
    assert!(
        encodings.keys().any(|k| k.contains("windows-1252")),
        "{json}"
    );
});

dtest!(forced_encoding_label_is_used, |dir, cmd| {
    dir.create("cafe.txt", hay::cp1252(hay::FRENCH));
    eqnice!(
        format!("{}\n", hay::FRENCH),
        cmd.args(["--encoding", "windows-1252", "cafe.txt"])
            .stdout()
    );
});

/// UTF-8 prose with one stray byte (0xFF never occurs in UTF-8).
fn one_bad_byte() -> Vec<u8> {
    let mut bytes = "Café owners in Lytham say trade is up, despite one bad byte: "
        .as_bytes()
        .to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(" and the text goes on after it.\n".as_bytes());
    bytes
}

dtest!(invalid_utf8_is_decoded_lossily_and_counted, |dir, cmd| {
    // Without --encoding the decoder may pick another charset for such a
    // file; forcing UTF-8 pins the lossy path down.
    let out = cmd
        .args(["--encoding", "utf-8", "--stats=json"])
        .stdin(one_bad_byte())
        .assert_exit(0);
    out.assert_stdout(
        "Café owners in Lytham say trade is up, despite one bad byte: \u{fffd} and the text goes on after it.\n",
    );
    let json: serde_json::Value =
        serde_json::from_str(out.stderr.lines().last().unwrap_or_default()).unwrap();
    assert_eq!(json["replacement_chars"], 1, "{json}");
    assert_eq!(json["lossy_files"], 1, "{json}");
});

dtest!(strict_makes_malformed_input_a_per_file_error, |dir, cmd| {
    dir.create("bad.txt", one_bad_byte());
    dir.create("good.txt", hay::MATCH);
    let out = cmd
        .args(["--encoding", "utf-8", "--strict", "bad.txt", "good.txt"])
        .assert_exit(1);
    out.assert_stdout(hay::MATCH_CLEAN)
        .assert_stderr_has("bad.txt")
        .assert_stderr_has("malformed");
});

dtest!(
    two_inputs_mapping_to_one_output_second_is_reported,
    |dir, cmd| {
        dir.create("monday/report.txt", hay::FLOOD);
        dir.create("tuesday/report.txt", hay::COUNCIL);
        let out = cmd
            .args(["monday/report.txt", "tuesday/report.txt", "-o", "out"])
            .assert_exit(1);
        out.assert_stderr_has("tuesday/report.txt");
        eqnice!(hay::FLOOD_CLEAN, dir.read("out/report.txt"));
        assert_eq!(dir.snapshot("out").len(), 1, "{}", dir.listing());
    }
);

dtest!(max_line_fails_that_file_only, |dir, cmd| {
    let long = format!("Headline\n\n{}\n\nAfter.\n", "word ".repeat(4000));
    dir.create("in/a.txt", hay::FLOOD);
    dir.create("in/long.txt", &long);
    dir.create("in/z.txt", hay::MATCH);
    // The cap is raised to the window, so set both (see the ignored test
    // below for --max-line alone).
    let out = cmd
        .args(["--window", "4K", "--max-line", "4K", "in", "-o", "out"])
        .assert_exit(1);
    out.assert_stderr_has("long.txt")
        .assert_stderr_has("line longer than");
    eqnice!(hay::FLOOD_CLEAN, dir.read("out/a.txt"));
    eqnice!(hay::MATCH_CLEAN, dir.read("out/z.txt"));
    let names: Vec<String> = dir.snapshot("out").into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        names,
        ["a.txt", "z.txt"],
        "no partial or temporary output for the failed file\n{}",
        dir.listing()
    );
});

dtest!(max_line_to_stdout_others_still_cleaned, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    dir.create("long.txt", format!("{}\n", "x".repeat(10_000)));
    dir.create("z.txt", hay::MATCH);
    let out = cmd
        .args([
            "--window",
            "4K",
            "--max-line",
            "4K",
            "a.txt",
            "long.txt",
            "z.txt",
        ])
        .assert_exit(1);
    out.assert_stdout(&[hay::FLOOD_CLEAN, hay::MATCH_CLEAN].concat())
        .assert_stderr_has("long.txt: line longer than");
});

dtest!(max_line_alone_is_honoured, |dir, cmd| {
    dir.create("long.txt", format!("short\n{}\nafter\n", "x".repeat(5000)));
    dir.create("ok.txt", hay::MATCH);
    let out = cmd
        .args(["--max-line", "1K", "long.txt", "ok.txt"])
        .assert_exit(1);
    out.assert_stdout(hay::MATCH_CLEAN)
        .assert_stderr_has("long.txt: line longer than");
});

dtest!(max_line_long_enough_accepts_the_line, |dir, cmd| {
    let long = "word ".repeat(2000).trim_end().to_string() + "\n";
    dir.create("long.txt", &long);
    eqnice!(long, cmd.args(["--max-line", "64K", "long.txt"]).stdout());
});

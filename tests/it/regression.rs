//! Regression and acceptance tests, named after the issue that asked for
//! them. Issue 2's acceptance example is the seed article in
//! `../shared/seed/`: both copies of its two-line privacy notice go, every
//! other line stays exactly and in order, with its paragraph breaks.

use crate::hay;

fn seed_arg() -> String {
    hay::seed_path().display().to_string()
}

dtest!(issue2_seed_notice_pairs_removed, |dir, cmd| {
    let out = cmd.arg(seed_arg()).assert_exit(0);
    out.assert_stdout(&hay::seed_expected()).assert_quiet();
    // Belt and braces: the expected text itself is the seed minus 6 lines.
    assert_eq!(
        hay::seed().lines().count() - 6,
        out.stdout.lines().count(),
        "{}",
        out.report()
    );
    assert!(!out.stdout.contains("privacy settings"));
});

dtest!(issue2_seed_from_stdin, |dir, cmd| {
    eqnice!(hay::seed_expected(), cmd.pipe(hay::seed()));
});

dtest!(issue2_seed_by_repetition_alone, |dir, cmd| {
    let out = cmd
        .args(["--no-builtin-rules", "--explain", "--stats=json"])
        .arg(seed_arg())
        .assert_exit(0);
    out.assert_stdout(&hay::seed_expected());
    let explained: Vec<&str> = out.stderr.lines().filter(|l| l.contains('\t')).collect();
    assert_eq!(explained.len(), 4, "{}", out.report());
    for line in &explained {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f[1], "repeated-in-document", "{}", out.report());
    }
    let json_line = out.stderr.lines().find(|l| l.starts_with('{')).unwrap();
    let json: serde_json::Value = serde_json::from_str(json_line).unwrap();
    assert_eq!(
        json["lines_removed"],
        serde_json::json!({"repeated-in-document": 4}),
        "{json}"
    );
});

dtest!(issue2_seed_explain_line_numbers, |dir, cmd| {
    let path = seed_arg();
    let out = cmd.args(["--explain", &path]).assert_exit(0);
    let lines = hay::seed_notice_lines();
    assert_eq!(lines.len(), 4);
    let expected: String = lines
        .iter()
        .zip(hay::SEED_NOTICE.iter().cycle())
        .map(|(n, text)| format!("{path}:{n}\tprivacy-notice\t{text}\n"))
        .collect();
    eqnice!(expected, out.stderr);
});

dtest!(issue2_seed_stats, |dir, cmd| {
    let out = cmd.args(["--stats=json", &seed_arg()]).assert_exit(0);
    let json: serde_json::Value = serde_json::from_str(out.stderr.trim()).unwrap();
    let seed = hay::seed();
    assert_eq!(json["files"], 1, "{json}");
    assert_eq!(json["bytes_in"].as_u64(), Some(seed.len() as u64), "{json}");
    assert_eq!(
        json["bytes_out"].as_u64(),
        Some(hay::seed_expected().len() as u64),
        "{json}"
    );
    assert_eq!(
        json["lines_removed"],
        serde_json::json!({"privacy-notice": 4}),
        "{json}"
    );
});

dtest!(issue2_seed_crlf_copy_cleans_the_same, |dir, cmd| {
    dir.create("seed-crlf.txt", hay::seed().replace('\n', "\r\n"));
    eqnice!(hay::seed_expected(), cmd.arg("seed-crlf.txt").stdout());
});

//! The command-line contract: where input comes from and output goes,
//! `--stats`, `--explain`, `--rules`, `--no-builtin-rules`, `--list-rules`.

use crate::hay;
use serde_json::Value;
use std::collections::BTreeMap;

dtest!(stdin_to_stdout_without_a_path, |dir, cmd| {
    eqnice!(hay::FLOOD_CLEAN, cmd.pipe(hay::FLOOD));
});

dtest!(stdin_to_stdout_with_dash, |dir, cmd| {
    eqnice!(hay::FLOOD_CLEAN, cmd.arg("-").pipe(hay::FLOOD));
});

dtest!(file_to_stdout, |dir, cmd| {
    dir.create("flood.txt", hay::FLOOD);
    cmd.arg("flood.txt")
        .assert_exit(0)
        .assert_stdout(hay::FLOOD_CLEAN);
    // The input is never touched when writing to stdout.
    eqnice!(hay::FLOOD, dir.read("flood.txt"));
});

dtest!(several_files_to_stdout_in_input_order, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    dir.create("b.txt", hay::COUNCIL);
    dir.create("c.txt", hay::MATCH);
    let expected = [hay::MATCH_CLEAN, hay::FLOOD_CLEAN, hay::COUNCIL_CLEAN].concat();
    cmd.args(["c.txt", "a.txt", "b.txt"])
        .assert_exit(0)
        .assert_stdout(&expected)
        .assert_quiet();
});

dtest!(stdin_and_files_mixed_keep_order, |dir, cmd| {
    dir.create("a.txt", hay::MATCH);
    let expected = [hay::MATCH_CLEAN, hay::COUNCIL_CLEAN, hay::MATCH_CLEAN].concat();
    eqnice!(
        expected,
        cmd.args(["a.txt", "-", "a.txt"]).pipe(hay::COUNCIL)
    );
});

dtest!(folder_to_stdout_in_sorted_order, |dir, cmd| {
    dir.create("in/b/2.txt", hay::COUNCIL);
    dir.create("in/a.txt", hay::FLOOD);
    dir.create("in/c.txt", hay::MATCH);
    dir.create("in/b/1.txt", hay::MATCH);
    let expected = [
        hay::FLOOD_CLEAN,
        hay::MATCH_CLEAN,
        hay::COUNCIL_CLEAN,
        hay::MATCH_CLEAN,
    ]
    .concat();
    eqnice!(expected, cmd.arg("in").stdout());
});

dtest!(output_dir_mirrors_nested_folders, |dir, cmd| {
    dir.create("news/flood.txt", hay::FLOOD);
    dir.create("news/local/council.txt", hay::COUNCIL);
    dir.create("news/local/sport/match.txt", hay::MATCH);
    dir.create("loose/extra.txt", hay::MATCH);
    let before = dir.snapshot("news");
    cmd.args(["news", "loose/extra.txt", "-o", "clean"])
        .assert_exit(0)
        .assert_no_stdout()
        .assert_quiet();
    eqnice!(hay::FLOOD_CLEAN, dir.read("clean/flood.txt"));
    eqnice!(hay::COUNCIL_CLEAN, dir.read("clean/local/council.txt"));
    eqnice!(hay::MATCH_CLEAN, dir.read("clean/local/sport/match.txt"));
    // A file given directly lands at DIR/name, without its folders.
    eqnice!(hay::MATCH_CLEAN, dir.read("clean/extra.txt"));
    let out: Vec<String> = dir
        .snapshot("clean")
        .into_iter()
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(
        out,
        [
            "extra.txt",
            "flood.txt",
            "local/council.txt",
            "local/sport/match.txt"
        ],
        "exactly the mirrored files, no temporary leftovers\n{}",
        dir.listing()
    );
    assert_eq!(before, dir.snapshot("news"), "input tree changed");
});

dtest!(output_dir_is_created_with_parents, |dir, cmd| {
    dir.create("a.txt", hay::COUNCIL);
    cmd.args(["a.txt", "-o", "deep/er/out"]).assert_exit(0);
    eqnice!(hay::COUNCIL_CLEAN, dir.read("deep/er/out/a.txt"));
});

#[cfg(unix)]
dtest!(
    in_place_rewrites_atomically_and_keeps_permissions,
    |dir, cmd| {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let a = dir.create("docs/a.txt", hay::FLOOD);
        let b = dir.create("docs/sub/b.txt", hay::COUNCIL);
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o604)).unwrap();
        let inode_before = std::fs::metadata(&a).unwrap().ino();
        cmd.args(["--in-place", "docs"])
            .assert_exit(0)
            .assert_no_stdout()
            .assert_quiet();
        eqnice!(hay::FLOOD_CLEAN, dir.read("docs/a.txt"));
        eqnice!(hay::COUNCIL_CLEAN, dir.read("docs/sub/b.txt"));
        let meta = std::fs::metadata(&a).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o640, "mode of a.txt");
        let mode_b = std::fs::metadata(&b).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode_b, 0o604, "mode of sub/b.txt");
        // Temporary file + rename gives the path a new inode; writing through
        // the old file would have kept it.
        assert_ne!(inode_before, meta.ino(), "in-place must replace by rename");
        let names: Vec<String> = dir.files().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            names,
            ["docs", "docs/a.txt", "docs/sub", "docs/sub/b.txt"],
            "no temporary files may be left behind"
        );
    }
);

dtest!(in_place_twice_is_idempotent, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    cmd.args(["--in-place", "a.txt"]).assert_exit(0);
    dir.command().args(["--in-place", "a.txt"]).assert_exit(0);
    eqnice!(hay::FLOOD_CLEAN, dir.read("a.txt"));
});

dtest!(threads_flag_long_and_short, |dir, cmd| {
    dir.create("a.txt", hay::FLOOD);
    dir.create("b.txt", hay::MATCH);
    let expected = [hay::FLOOD_CLEAN, hay::MATCH_CLEAN].concat();
    cmd.args(["-j", "2", "a.txt", "b.txt"])
        .assert_exit(0)
        .assert_stdout(&expected);
    dir.command()
        .args(["--threads", "1", "a.txt", "b.txt"])
        .assert_exit(0)
        .assert_stdout(&expected);
});

fn stats_json(stderr: &str) -> Value {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON object on stderr:\n{stderr}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON ({e}): {line}"))
}

fn removed_map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

fn json_map(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().expect("count is an integer")))
        .collect()
}

dtest!(stats_json_counts_match_the_input, |dir, cmd| {
    dir.create("flood.txt", hay::FLOOD);
    dir.create("council.txt", hay::COUNCIL);
    let out = cmd
        .args(["--stats=json", "flood.txt", "council.txt"])
        .assert_exit(0);
    let json = stats_json(&out.stderr);
    assert_eq!(json["files"], 2, "{json}");
    assert_eq!(json["files_failed"], 0, "{json}");
    let bytes_in = (hay::FLOOD.len() + hay::COUNCIL.len()) as u64;
    assert_eq!(json["bytes_in"].as_u64(), Some(bytes_in), "{json}");
    assert_eq!(
        json["bytes_out"].as_u64(),
        Some(out.stdout_bytes.len() as u64),
        "{json}"
    );
    let lines_in = (hay::FLOOD.lines().count() + hay::COUNCIL.lines().count()) as u64;
    assert_eq!(json["lines_in"].as_u64(), Some(lines_in), "{json}");
    let kept = out.stdout.lines().filter(|l| !l.is_empty()).count() as u64;
    assert_eq!(json["lines_kept"].as_u64(), Some(kept), "{json}");
    let mut expected = removed_map(hay::FLOOD_REMOVED);
    *expected.entry("privacy-notice".into()).or_default() += 2;
    *expected.entry("cookie-banner".into()).or_default() += 2;
    assert_eq!(json_map(&json["lines_removed"]), expected, "{json}");
    assert_eq!(
        json_map(&json["spans_removed"]),
        removed_map(hay::FLOOD_SPANS),
        "{json}"
    );
    assert!(json["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{json}");
    assert!(
        json["mb_per_s"].as_f64().is_some_and(|s| s >= 0.0),
        "{json}"
    );
    assert_eq!(json["replacement_chars"], 0, "{json}");
});

dtest!(stats_json_is_the_only_stderr_line, |dir, cmd| {
    let out = cmd.arg("--stats=json").stdin(hay::MATCH).assert_exit(0);
    out.assert_stdout(hay::MATCH_CLEAN);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.report());
    let json = stats_json(&out.stderr);
    assert_eq!(json["bytes_in"].as_u64(), Some(hay::MATCH.len() as u64));
});

dtest!(stats_text_summary_on_stderr, |dir, cmd| {
    dir.create("flood.txt", hay::FLOOD);
    let out = cmd.args(["--stats", "flood.txt"]).assert_exit(0);
    out.assert_stdout(hay::FLOOD_CLEAN);
    out.assert_stderr_has("1 cleaned, 0 failed")
        .assert_stderr_has(&format!(
            "{} in, {} out",
            hay::FLOOD.len(),
            hay::FLOOD_CLEAN.len()
        ))
        .assert_stderr_has("MB/s");
    for (rule, n) in hay::FLOOD_REMOVED {
        let has = out
            .stderr
            .lines()
            .any(|l| l.contains("removed") && l.contains(rule) && l.contains(&n.to_string()));
        if !has {
            out.fail(&format!("no 'removed {n} {rule}' line in the text stats"));
        }
    }
    assert!(
        !out.stderr.trim_start().starts_with('{'),
        "plain --stats must not be JSON"
    );
});

dtest!(
    explain_lists_every_removal_with_file_and_line,
    |dir, cmd| {
        dir.create("match.txt", hay::MATCH);
        let out = cmd.args(["--explain", "match.txt"]).assert_exit(0);
        out.assert_stdout(hay::MATCH_CLEAN);
        let lines: Vec<Vec<&str>> = out
            .stderr
            .lines()
            .map(|l| l.split('\t').collect())
            .collect();
        assert_eq!(
            lines,
            [
                vec![
                    "match.txt:3",
                    "share-bar",
                    "Share on Facebook | Share on Twitter | Email"
                ],
                vec!["match.txt:9", "read-more", "Related topics"],
            ],
            "{}",
            out.report()
        );
    }
);

dtest!(explain_names_spans_and_stdin, |dir, cmd| {
    let input = "Opening line of the story.\n\nMedia playback is unsupported on your device Media caption The minister arrived in Paris.\n";
    let out = cmd.arg("--explain").stdin(input).assert_exit(0);
    out.assert_stdout("Opening line of the story.\n\nThe minister arrived in Paris.\n");
    let fields: Vec<&str> = out.stderr.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 3, "{}", out.report());
    assert_eq!(fields[0], "<stdin>:3", "{}", out.report());
    assert!(
        fields[1].starts_with("media-unsupported"),
        "{}",
        out.report()
    );
    assert_eq!(
        fields[2],
        "Media playback is unsupported on your device Media caption"
    );
});

dtest!(explain_is_silent_without_removals, |dir, cmd| {
    let text = hay::NEAR_MISSES.join("\n\n") + "\n";
    cmd.arg("--explain")
        .stdin(&text)
        .assert_exit(0)
        .assert_stdout(&text)
        .assert_quiet();
});

const RULES: &str = "\
# House rules for the Courier dump.

# A promo line our scraper picks up:
Listen to the Courier podcast.*
span: ^BREAKING: ?
   # an indented comment
";

const PROMO: &str = "\
BREAKING: Bridge reopens after repairs

Listen to the Courier podcast on your way to work

The Shard Bridge reopened to traffic on Friday after eight months of repairs.
#hashtags like #Wyre stay, they are text.
";

dtest!(rules_file_adds_line_and_span_rules, |dir, cmd| {
    dir.create("rules.txt", RULES);
    dir.create("promo.txt", PROMO);
    let out = cmd
        .args(["--rules", "rules.txt", "--explain", "promo.txt"])
        .assert_exit(0);
    out.assert_stdout(
        "Bridge reopens after repairs\n\nThe Shard Bridge reopened to traffic on Friday after eight months of repairs.\n#hashtags like #Wyre stay, they are text.\n",
    );
    // User rules are named FILE:LINE, counting comment and blank lines.
    let reasons: Vec<(&str, &str)> = out
        .stderr
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0], f[1])
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("promo.txt:1", "rules.txt:5 (span)"),
            ("promo.txt:3", "rules.txt:4")
        ],
        "{}",
        out.report()
    );
});

dtest!(rules_file_with_only_comments_changes_nothing, |dir, cmd| {
    dir.create("rules.txt", "# nothing yet\n\n   \n# still nothing\n");
    cmd.args(["--rules", "rules.txt"])
        .stdin(hay::FLOOD)
        .assert_exit(0)
        .assert_stdout(hay::FLOOD_CLEAN);
});

dtest!(
    bad_rule_is_a_usage_error_naming_file_and_line,
    |dir, cmd| {
        dir.create("rules.txt", "# fine\nAdvertisement\nbroken (unclosed\n");
        let out = cmd
            .args(["--rules", "rules.txt", "-"])
            .stdin(hay::MATCH)
            .assert_exit(2);
        out.assert_no_stdout().assert_stderr_has("rules.txt:3");
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "one-line error\n{}",
            out.report()
        );
    }
);

dtest!(missing_rules_file_is_a_usage_error, |dir, cmd| {
    let out = cmd
        .args(["--rules", "nope.rules"])
        .stdin("x\n")
        .assert_exit(2);
    out.assert_stderr_has("nope.rules");
});

dtest!(
    no_builtin_rules_keeps_notices_that_do_not_repeat,
    |dir, cmd| {
        let out = cmd
            .args(["--no-builtin-rules", "--no-repeat"])
            .stdin(hay::MATCH)
            .assert_exit(0);
        // Only whitespace normalisation happens: the fixture is already tidy.
        out.assert_stdout(hay::MATCH);
        let out = dir
            .command()
            .arg("--no-builtin-rules")
            .stdin(hay::FLOOD)
            .assert_exit(0);
        for notice in [
            "Advertisement",
            "Share this article",
            "Skip to main content",
        ] {
            if !out.stdout.lines().any(|l| l == notice) {
                out.fail(&format!("{notice:?} should stay without built-in rules"));
            }
        }
    }
);

dtest!(no_builtin_rules_with_user_rules, |dir, cmd| {
    dir.create("rules.txt", "Related topics\n");
    let out = cmd
        .args(["--no-builtin-rules", "--rules", "rules.txt"])
        .stdin(hay::MATCH)
        .assert_exit(0);
    out.assert_stdout(&hay::MATCH.replace("\n\nRelated topics\n", "\n"));
});

dtest!(list_rules_shows_builtin_pack, |dir, cmd| {
    let out = cmd.arg("--list-rules").assert_exit(0);
    let mut names = Vec::new();
    for line in out.stdout.lines() {
        let f: Vec<&str> = line.splitn(3, '\t').collect();
        if f.len() != 3 || !["line", "span"].contains(&f[1]) || f[2].is_empty() {
            out.fail(&format!("bad --list-rules line {line:?}"));
        }
        names.push(f[0]);
    }
    for name in [
        "privacy-notice",
        "advertisement",
        "cookie-banner",
        "newsletter-prompt",
        "share-bar",
        "read-more",
        "image-credit",
        "media-unsupported",
        "site-chrome",
    ] {
        assert!(names.contains(&name), "{name} missing\n{}", out.report());
    }
});

dtest!(list_rules_with_user_rules_only, |dir, cmd| {
    dir.create(
        "my.rules",
        "# promo\nListen to the Courier podcast.*\nspan: ^BREAKING: ?\n",
    );
    let out = cmd
        .args(["--list-rules", "--no-builtin-rules", "--rules", "my.rules"])
        .assert_exit(0);
    out.assert_stdout(
        "my.rules:2\tline\tListen to the Courier podcast.*\nmy.rules:3\tspan\t^BREAKING: ?\n",
    );
});

dtest!(help_and_version_exit_zero, |dir, cmd| {
    let out = cmd.arg("--help").assert_exit(0);
    for flag in [
        "--output",
        "--in-place",
        "--threads",
        "--stats",
        "--explain",
        "--rules",
        "--no-builtin-rules",
        "--max-line",
    ] {
        out.assert_stdout_has(flag);
    }
    let out = dir.command().arg("--version").assert_exit(0);
    out.assert_stdout_has("decruft");
});

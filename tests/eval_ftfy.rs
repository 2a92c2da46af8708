//! Data-driven check of `repair` against ftfy's labelled mojibake cases
//! (`shared/eval/ftfy/*.json`). Prints pass counts per file; run with
//! `cargo test --test eval_ftfy -- --nocapture` to see them.

use std::path::PathBuf;

use decruft::repair::{RepairCounts, RepairOptions, repair};

/// `CARGO_MANIFEST_DIR/../shared`, or `$DECRUFT_SHARED` when that is missing.
fn shared_dir() -> PathBuf {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if beside.is_dir() {
        return beside;
    }
    if let Some(dir) = std::env::var_os("DECRUFT_SHARED") {
        return PathBuf::from(dir);
    }
    panic!(
        "no shared dir: {} is missing and DECRUFT_SHARED is unset",
        beside.display()
    );
}

struct Case {
    label: String,
    original: String,
    expected: String,
}

fn load(name: &str) -> Vec<Case> {
    let path = shared_dir().join("eval/ftfy").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("ftfy json");
    json.as_array()
        .expect("array of cases")
        .iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(|v| v.as_str()).map(str::to_string);
            Case {
                label: s("label").unwrap_or_default(),
                original: s("original").expect("original"),
                expected: s("fixed-encoding").or_else(|| s("fixed")).expect("fixed"),
            }
        })
        .collect()
}

/// Runs every case of a file; returns (passed, total). A case passes when
/// the repair gives its expected text, whitespace folded.
fn run_file(name: &str) -> (usize, usize) {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let cases = load(name);
    let mut passed = 0;
    for case in &cases {
        let mut counts = RepairCounts::default();
        let got = repair(&case.original, &RepairOptions::default(), &mut counts);
        if fold(&got) == fold(&case.expected) {
            passed += 1;
        } else {
            println!(
                "  FAIL {name}: {}\n    original: {:?}\n    expected: {:?}\n    got:      {:?}",
                case.label, case.original, case.expected, got
            );
        }
    }
    println!("{name}: {passed}/{} pass", cases.len());
    (passed, cases.len())
}

#[test]
fn ftfy_positive_cases() {
    let mut passed = 0;
    let mut total = 0;
    for name in ["in-the-wild.json", "synthetic.json", "language-names.json"] {
        let (p, t) = run_file(name);
        passed += p;
        total += t;
    }
    println!(
        "ftfy positive overall: {passed}/{total} pass ({:.1} %)",
        100.0 * passed as f64 / total as f64
    );
    assert!(
        passed * 10 >= total * 9,
        "below the 90 % floor: {passed}/{total}"
    );
}

/// Negative cases must come out as their expected text, which is the
/// original for all but one: "parlé\u{85}" whose C1 control ftfy (and we)
/// read as windows-1252 "…", the rest of that line staying untouched.
#[test]
fn ftfy_negative_cases_stay_unchanged() {
    let (passed, total) = run_file("negative.json");
    let identical = load("negative.json")
        .iter()
        .filter(|c| {
            repair(
                &c.original,
                &RepairOptions::default(),
                &mut RepairCounts::default(),
            ) == c.original
        })
        .count();
    println!("negative.json: {identical}/{total} byte-identical to the original");
    assert_eq!(
        passed, total,
        "negative cases must all come out as expected"
    );
}

#[test]
fn ftfy_known_failures() {
    let (passed, total) = run_file("known-failures.json");
    println!("known-failures.json (ftfy fails these too): {passed}/{total} match the ideal output");
}

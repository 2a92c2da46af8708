//! The README stays true: its main command, run on the shipped `corpus/`,
//! prints the summary the README shows (all but the time line, which
//! varies).

use std::path::Path;

/// The first fenced block after `marker` in the README, without its fence
/// lines.
fn block_after<'a>(readme: &'a str, marker: &str) -> &'a str {
    let at = readme.find(marker).expect("README has the marker");
    let fence = at + readme[at..].find("```").expect("a fenced block");
    let open = fence + readme[fence..].find('\n').expect("fence line ends") + 1;
    let close = open + readme[open..].find("```").expect("the block ends");
    &readme[open..close]
}

fn without_time(summary: &str) -> String {
    summary
        .lines()
        .filter(|l| !l.starts_with("time:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

dtest!(
    readme_summary_is_what_the_main_command_prints,
    |dir, cmd| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
        // The command itself, as the README gives it.
        let commands = block_after(&readme, "## ");
        assert!(
            commands.contains("cargo run --release -- corpus/ -o cleaned/ --stats"),
            "README's main command changed: update this test\n{commands}"
        );
        let shown = block_after(&readme, "The first prints this summary");
        cmd.raw().current_dir(repo);
        let out = cmd
            .arg("corpus/")
            .arg("-o")
            .arg(dir.join("cleaned"))
            .arg("--stats")
            .assert_exit(0);
        eqnice!(without_time(shown), without_time(&out.stderr));
    }
);

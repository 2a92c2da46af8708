//! Corpus-level boilerplate (issue 4) end to end: a site's header and
//! footer learned from its documents and removed, a syndicated story kept
//! whole, profiles learned, merged, sharded and applied to standard input.
//!
//! The articles are real BBC texts read from `../shared/corpus/bbc`; the
//! site chrome around them is invented here.

use crate::hay::SHARED;
use crate::util::Dir;
use std::path::Path;

const HEADER: [&str; 3] = [
    "THE HARBOUR GAZETTE | News from the coast since 1868",
    "Home | News | Sport | Business | Culture | Weather",
    "Listen to the Harbour Gazette podcast every Friday",
];
const FOOTER: [&str; 2] = [
    "More stories from the Harbour Gazette",
    "The Harbour Gazette is published by Harbour Media Group, Unit 4, Quay Street",
];

/// The paragraphs (non-blank lines) of a BBC article.
fn article(category: &str, n: usize) -> Vec<String> {
    let path = Path::new(SHARED).join(format!("corpus/bbc/{category}/{n:03}.txt"));
    let text = std::fs::read_to_string(&path).expect("read a BBC article from ../shared");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A scraped page: site header, the article's lines as paragraphs, footer.
fn page(lines: &[String]) -> String {
    let mut s = HEADER.join("\n");
    s.push_str("\n\n");
    s.push_str(&lines.join("\n\n"));
    s.push_str("\n\n");
    s.push_str(&FOOTER.join("\n"));
    s.push('\n');
    s
}

/// Writes `n` pages of distinct business articles under `dir/site`, plus a
/// politics story syndicated into `synd` more pages; returns the story.
fn site(dir: &Dir, n: usize, synd: usize) -> Vec<String> {
    for i in 1..=n {
        dir.create(
            format!("site/page{i:03}.txt"),
            page(&article("business", i)),
        );
    }
    let story = article("politics", 7);
    for i in 1..=synd {
        dir.create(format!("site/syndicated{i:02}.txt"), page(&story));
    }
    story
}

fn lines_of(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.is_empty()).collect()
}

dtest!(site_chrome_goes_and_articles_stay, |dir, cmd| {
    let story = site(&dir, 12, 6);
    cmd.args(["site", "-o", "out", "--stats=json"])
        .assert_exit(0);
    for i in 1..=12 {
        let got = dir.read(format!("out/page{i:03}.txt"));
        let want: Vec<String> = article("business", i);
        assert_eq!(
            lines_of(&got),
            want,
            "page {i}: only the article stays, in order"
        );
    }
    for i in 1..=6 {
        let got = dir.read(format!("out/syndicated{i:02}.txt"));
        assert_eq!(
            lines_of(&got),
            story,
            "syndicated copy {i} keeps every paragraph"
        );
    }
});

dtest!(explain_names_the_corpus_reason, |dir, cmd| {
    site(&dir, 12, 0);
    let err = cmd
        .args(["site", "-o", "out", "--explain"])
        .assert_exit(0)
        .stderr
        .clone();
    assert!(
        err.contains("site/page001.txt:1\tcorpus:12 docs\tTHE HARBOUR GAZETTE"),
        "{err}"
    );
    assert!(
        err.contains("\tcorpus:12 docs\tMore stories from the Harbour Gazette"),
        "{err}"
    );
});

dtest!(no_corpus_keeps_site_lines, |dir, cmd| {
    site(&dir, 12, 0);
    cmd.args(["site", "-o", "out", "--no-corpus"])
        .assert_exit(0);
    assert!(dir.read("out/page001.txt").contains(HEADER[0]));
});

dtest!(min_docs_raises_the_bar, |dir, cmd| {
    site(&dir, 12, 0);
    cmd.args(["site", "-o", "out", "--min-docs", "13"])
        .assert_exit(0);
    assert!(dir.read("out/page001.txt").contains(HEADER[0]));
});

dtest!(profile_learned_once_cleans_stdin, |dir, cmd| {
    site(&dir, 12, 0);
    cmd.args(["learn", "site", "-o", "site.profile"])
        .assert_exit(0);
    let new_page = page(&article("tech", 3));
    let got = dir
        .command()
        .args(["--profile", "site.profile"])
        .pipe(new_page.as_bytes());
    assert_eq!(
        lines_of(&got),
        article("tech", 3),
        "a shell filter with corpus knowledge"
    );
});

dtest!(
    merged_shards_equal_the_union_and_shards_partition_it,
    |dir, cmd| {
        for i in 1..=12 {
            let half = if i <= 6 { "a" } else { "b" };
            dir.create(
                format!("{half}/page{i:03}.txt"),
                page(&article("business", i)),
            );
        }
        cmd.args(["learn", "a", "b", "-o", "union.profile"])
            .assert_exit(0);
        dir.command()
            .args(["learn", "a", "-o", "a.profile"])
            .assert_exit(0);
        dir.command()
            .args(["learn", "b", "-o", "b.profile"])
            .assert_exit(0);
        dir.command()
            .args([
                "learn",
                "--merge",
                "b.profile",
                "a.profile",
                "-o",
                "merged.profile",
            ])
            .assert_exit(0);
        assert_eq!(
            dir.read_bytes("merged.profile"),
            dir.read_bytes("union.profile")
        );
        let mut parts = 0;
        for s in ["0/2", "1/2"] {
            let out = format!("part{}.profile", &s[..1]);
            dir.command()
                .args([
                    "learn",
                    "--merge",
                    "a.profile",
                    "b.profile",
                    "-o",
                    &out,
                    "--shard",
                    s,
                ])
                .assert_exit(0);
            parts += dir.read_bytes(&out).len() - 40;
        }
        assert_eq!(
            parts,
            dir.read_bytes("union.profile").len() - 40,
            "shards hold every entry once"
        );
    }
);

dtest!(top_lists_the_site_lines_with_counts, |dir, cmd| {
    site(&dir, 12, 0);
    let out = cmd
        .args(["learn", "site", "-o", "site.profile", "--top", "10"])
        .stdout();
    assert!(out.starts_with("docs\thead%\ttail%\tline\n"), "{out}");
    assert!(
        out.contains("12\t100\t0\tTHE HARBOUR GAZETTE | News from the coast since 1868"),
        "{out}"
    );
    assert!(
        !out.contains("Ad sales boost"),
        "article text is not listed: {out}"
    );
});

dtest!(
    damaged_profile_is_a_usage_error_naming_the_file,
    |dir, cmd| {
        dir.create(
            "bad.profile",
            "not a profile at all, just a text file with a profile ending\n",
        );
        dir.create("a.txt", "Hello.\n");
        let out = cmd
            .args(["--profile", "bad.profile", "a.txt"])
            .assert_exit(2);
        out.assert_stderr_has("bad.profile: not a decruft profile");
    }
);

dtest!(profiles_learned_differently_refuse_to_merge, |dir, cmd| {
    site(&dir, 6, 0);
    cmd.args(["learn", "site", "-o", "a.profile"])
        .assert_exit(0);
    dir.command()
        .args(["learn", "site", "-o", "b.profile", "--no-builtin-rules"])
        .assert_exit(0);
    let out = dir
        .command()
        .args([
            "learn",
            "--merge",
            "a.profile",
            "b.profile",
            "-o",
            "m.profile",
        ])
        .assert_exit(1);
    out.assert_stderr_has("learned with different options");
});

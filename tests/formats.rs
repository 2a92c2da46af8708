//! Integration tests of issue 5's dump formats: JSON Lines, gzip/zstd,
//! Common Crawl WET and `--doc-separator` document streams. They run the
//! built binary in a fresh temporary folder (as `tests/util.rs` does for
//! the main suite) and, at the end, the library directly.

use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fresh folder and commands on the built executable run inside it.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn create(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.tmp.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.tmp.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; files: {:?}", self.listing()))
    }

    fn exists(&self, name: &str) -> bool {
        self.tmp.path().join(name).exists()
    }

    fn listing(&self) -> Vec<String> {
        walk(self.tmp.path())
    }

    /// Runs decruft with `args`, feeding `stdin`.
    fn run(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_decruft"))
            .args(args)
            .current_dir(self.tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let input = stdin.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            out,
        }
    }
}

fn walk(p: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            v.extend(walk(&e.path()));
        } else {
            v.push(e.path().display().to_string());
        }
    }
    v.sort();
    v
}

struct Run {
    args: Vec<String>,
    out: Output,
}

impl Run {
    fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.out.status.code(),
            Some(want),
            "decruft {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout(),
            self.stderr()
        );
        self
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn stats(&self) -> serde_json::Value {
        let line = self
            .stderr()
            .lines()
            .rfind(|l| l.starts_with('{'))
            .unwrap_or_else(|| panic!("no JSON stats in {}", self.stderr()))
            .to_string();
        serde_json::from_str(&line).unwrap()
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(data), &mut out).unwrap();
    out
}

fn json_line(v: serde_json::Value) -> String {
    serde_json::to_string(&v).unwrap()
}

/// A news article with the boilerplate decruft removes by rule.
const ARTICLE: &str = "Council approves cycle bridge\n\nPlans for a cycle bridge across the River Wend were approved on Tuesday.\n\nAdvertisement\n\nTo view this content, you'll need to update your privacy settings.\nPlease click here to do so.\n\nWork is expected to start in the spring.\n";
const CLEAN: &str = "Council approves cycle bridge\n\nPlans for a cycle bridge across the River Wend were approved on Tuesday.\n\nWork is expected to start in the spring.\n";

#[test]
fn jsonl_other_bytes_and_key_order_untouched() {
    let dir = Dir::new();
    // Odd spacing, exotic numbers, escapes in other fields, nested objects,
    // keys in an unusual order: all must come back byte for byte.
    let text = serde_json::to_string(ARTICLE).unwrap();
    let line = format!(
        "{{ \"zeta\" :1.0e3,\"meta\":{{\"url\":\"http:\\/\\/x.test\\/a?b=1\",\"tags\":[\"\\u00e9t\\u00e9\",null,true]}},  \"text\": {text} ,\"alpha\":-0.0}}"
    );
    dir.create("a.jsonl", format!("{line}\n{line}\n"));
    let run = dir.run(&["a.jsonl", "--no-corpus"], b"");
    run.code(0);
    let want_field = serde_json::to_string(CLEAN).unwrap();
    let want = line.replace(&text, &want_field);
    assert_eq!(run.stdout(), format!("{want}\n{want}\n"));
}

#[test]
fn jsonl_unicode_escapes_stay_ascii() {
    let dir = Dir::new();
    let text = "Caf\u{e9} \u{201c}Le Fl\u{f4}t\u{201d} reopens \u{1F600}\n\nAdvertisement\n";
    // Python's json.dumps default: ensure_ascii.
    let mut escaped = Vec::new();
    decruft::format::jsonl::write_string(&mut escaped, text, true);
    let escaped = String::from_utf8(escaped).unwrap();
    assert!(escaped.is_ascii());
    dir.create("u.jsonl", format!("{{\"text\":{escaped}}}\n"));
    let out = dir.run(&["u.jsonl"], b"").code(0).stdout();
    assert_eq!(
        out,
        "{\"text\":\"Caf\\u00e9 \\u201cLe Fl\\u00f4t\\u201d reopens \\ud83d\\ude00\\n\"}\n"
    );
    // Raw UTF-8 in, raw UTF-8 out.
    dir.create(
        "r.jsonl",
        format!("{}\n", json_line(serde_json::json!({"text": text}))),
    );
    let out = dir.run(&["r.jsonl"], b"").code(0).stdout();
    assert_eq!(out, "{\"text\":\"Café “Le Flôt” reopens 😀\\n\"}\n");
}

#[test]
fn jsonl_nested_field_and_missing_field_counted() {
    let dir = Dir::new();
    let lines = [
        json_line(serde_json::json!({"id": 1, "doc": {"lang": "en", "body": ARTICLE}})),
        json_line(serde_json::json!({"id": 2, "doc": {"body": 42}})),
        json_line(serde_json::json!({"id": 3})),
        json_line(serde_json::json!([1, 2, 3])),
    ];
    dir.create("n.ndjson", lines.join("\n") + "\n");
    let run = dir.run(&["n.ndjson", "--field", "doc.body", "--stats=json"], b"");
    run.code(0);
    let out = run.stdout();
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(
        got[0],
        json_line(serde_json::json!({"id": 1, "doc": {"lang": "en", "body": CLEAN}}))
    );
    assert_eq!(
        &got[1..],
        &lines[1..].iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let stats = run.stats();
    assert_eq!(stats["documents"], 1);
    assert_eq!(stats["records_passed"], 3);
    assert_eq!(stats["files"], 1);
}

#[test]
fn jsonl_very_long_line_and_crlf_inside_strings() {
    let dir = Dir::new();
    // Lines over 200 characters are never repetition candidates.
    let para = "The quick brown fox jumps over the lazy dog near the riverbank today. ".repeat(3);
    let long: String = (0..12_000)
        .map(|i| format!("{para}{i}\r\n"))
        .collect::<String>();
    let text = format!("Title\r\n\r\nAdvertisement\r\n{long}");
    // CRLF between records too: the line ending is kept.
    let line = json_line(serde_json::json!({"text": text, "id": "x"}));
    assert!(line.len() > 2_000_000);
    dir.create(
        "big.jsonl",
        format!("{line}\r\n{{\"text\":\"a\\r\\nb\"}}\r\n"),
    );
    let run = dir.run(&["big.jsonl", "-j2", "--no-corpus"], b"");
    run.code(0);
    let out = run.stdout();
    let mut lines = out.split("\r\n");
    let first: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let cleaned = first["text"].as_str().unwrap();
    assert!(cleaned.starts_with("Title\n\nThe quick brown fox"));
    assert!(!cleaned.contains('\r'));
    assert!(!cleaned.contains("Advertisement"));
    assert_eq!(cleaned.lines().count(), 12_000 + 2);
    assert_eq!(first["id"], "x");
    assert_eq!(lines.next().unwrap(), "{\"text\":\"a\\nb\"}");
}

fn malformed_input() -> String {
    [
        json_line(serde_json::json!({"text": ARTICLE})),
        "{\"text\": \"unterminated".to_string(),
        "not json at all".to_string(),
        json_line(serde_json::json!({"text": "Last record."})),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn jsonl_malformed_keep_is_default() {
    let dir = Dir::new();
    dir.create("bad.jsonl", malformed_input());
    let run = dir.run(&["bad.jsonl", "--stats=json"], b"");
    run.code(0);
    let err = run.stderr();
    assert!(err.contains("bad.jsonl:2: malformed JSON"), "{err}");
    assert!(err.contains("bad.jsonl:3: malformed JSON"), "{err}");
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1], "{\"text\": \"unterminated");
    assert_eq!(lines[3], "{\"text\":\"Last record.\"}");
    assert_eq!(run.stats()["records_malformed"], 2);
}

#[test]
fn jsonl_malformed_skip() {
    let dir = Dir::new();
    dir.create("bad.jsonl", malformed_input());
    let run = dir.run(&["bad.jsonl", "--on-error", "skip"], b"");
    run.code(0);
    assert!(run.stderr().contains("bad.jsonl:3: malformed JSON"));
    let out = run.stdout();
    assert_eq!(out.lines().count(), 2);
    for l in out.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
}

#[test]
fn jsonl_malformed_fail_reads_on_then_fails() {
    let dir = Dir::new();
    dir.create("in/bad.jsonl", malformed_input());
    dir.create(
        "in/good.jsonl",
        malformed_input().lines().next().unwrap().to_string() + "\n",
    );
    let run = dir.run(&["in", "-o", "out", "--on-error", "fail"], b"");
    run.code(1);
    let err = run.stderr();
    // Both malformed lines are reported: the file was read to its end.
    assert!(
        err.contains("bad.jsonl:2:") && err.contains("bad.jsonl:3:"),
        "{err}"
    );
    assert!(!dir.exists("out/bad.jsonl"));
    assert!(dir.exists("out/good.jsonl"));
}

#[test]
fn jsonl_meta_key_and_drop_empty() {
    let dir = Dir::new();
    let lines = [
        json_line(serde_json::json!({"id": 1, "text": ARTICLE})),
        json_line(serde_json::json!({"id": 2, "text": "Advertisement\n"})),
        json_line(serde_json::json!({"id": 3, "text": "Fine.", "decruft": "old"})),
    ];
    dir.create("m.jsonl", lines.join("\n") + "\n");
    let run = dir.run(
        &[
            "m.jsonl",
            "--meta-key",
            "decruft",
            "--drop-empty",
            "--stats=json",
        ],
        b"",
    );
    run.code(0);
    let out = run.stdout();
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["id"], 1);
    assert_eq!(recs[0]["decruft"]["lines_removed"]["advertisement"], 1);
    assert_eq!(recs[0]["decruft"]["lines_removed"]["privacy-notice"], 2);
    assert_eq!(recs[1]["decruft"]["lines_in"], 1);
    // An existing key is replaced in place, not duplicated.
    assert_eq!(out.lines().nth(1).unwrap().matches("decruft").count(), 1);
    assert!(out.lines().next().unwrap().ends_with("}}}"));
    assert_eq!(run.stats()["records_dropped"], 1);
}

#[test]
fn gzip_and_zstd_keep_compression_or_convert() {
    let dir = Dir::new();
    let body = json_line(serde_json::json!({"text": ARTICLE})) + "\n";
    dir.create("in/a.jsonl.gz", gzip(body.as_bytes()));
    dir.create(
        "in/b.jsonl.zst",
        zstd::encode_all(body.as_bytes(), 3).unwrap(),
    );
    dir.create("in/c.txt", ARTICLE);
    dir.run(&["in", "-o", "out", "--no-corpus"], b"").code(0);
    let want = json_line(serde_json::json!({"text": CLEAN})) + "\n";
    let a = dir.read("out/a.jsonl.gz");
    assert_eq!(&a[..2], &[0x1f, 0x8b]);
    assert_eq!(gunzip(&a), want.as_bytes());
    let b = dir.read("out/b.jsonl.zst");
    assert_eq!(zstd::decode_all(&b[..]).unwrap(), want.as_bytes());
    assert_eq!(dir.read("out/c.txt"), CLEAN.as_bytes());
    // --compress overrides and renames.
    dir.run(&["in", "-o", "z", "--compress", "zstd", "--no-corpus"], b"")
        .code(0);
    assert_eq!(
        zstd::decode_all(&dir.read("z/a.jsonl.zst")[..]).unwrap(),
        want.as_bytes()
    );
    assert_eq!(
        zstd::decode_all(&dir.read("z/c.txt.zst")[..]).unwrap(),
        CLEAN.as_bytes()
    );
    dir.run(&["in", "-o", "p", "--compress", "none", "--no-corpus"], b"")
        .code(0);
    assert_eq!(dir.read("p/b.jsonl"), want.as_bytes());
    // Standard output is plain unless asked.
    let run = dir.run(&["in/a.jsonl.gz"], b"");
    assert_eq!(run.code(0).stdout(), want);
    let run = dir.run(
        &["--compress", "gzip", "--format", "jsonl"],
        &gzip(body.as_bytes()),
    );
    assert_eq!(gunzip(&run.code(0).out.stdout), want.as_bytes());
}

#[test]
fn multi_member_gzip_and_zstd_on_stdin() {
    let dir = Dir::new();
    let mut two = gzip(b"First part of the story.\n\nAdvertisement\n");
    two.extend(gzip(b"Second part of the story.\n"));
    let out = dir.run(&[], &two).code(0).stdout();
    assert_eq!(
        out,
        "First part of the story.\n\nSecond part of the story.\n"
    );
    let z = zstd::encode_all(ARTICLE.as_bytes(), 3).unwrap();
    assert_eq!(dir.run(&["-"], &z).code(0).stdout(), CLEAN);
}

#[test]
fn truncated_gzip_is_a_clear_error() {
    let dir = Dir::new();
    let big: String = (0..20_000)
        .map(|i| format!("Line {i} of a long story about bridges.\n"))
        .collect();
    let gz = gzip(big.as_bytes());
    dir.create("cut.txt.gz", &gz[..gz.len() / 2]);
    dir.create("ok.txt", ARTICLE);
    let run = dir.run(&["cut.txt.gz", "ok.txt", "--no-corpus"], b"");
    run.code(1);
    let err = run.stderr();
    assert!(err.contains("cut.txt.gz: gzip data is truncated"), "{err}");
    assert!(
        run.stdout().ends_with(CLEAN),
        "the other file is still cleaned"
    );
    // The same in JSON Lines, and with -o no output file is left behind.
    let line = json_line(serde_json::json!({"text": big})) + "\n";
    let gz = gzip(line.repeat(3).as_bytes());
    dir.create("in/cut.jsonl.gz", &gz[..gz.len() - 10]);
    let run = dir.run(&["in", "-o", "out"], b"");
    run.code(1);
    assert!(
        run.stderr()
            .contains("cut.jsonl.gz: gzip data is truncated"),
        "{}",
        run.stderr()
    );
    assert!(!dir.exists("out/cut.jsonl.gz"));
}

/// A WARC record with a correct Content-Length.
fn warc(kind: &str, extra: &str, body: &str) -> String {
    format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\n{extra}Content-Length: {}\r\n\r\n{body}\r\n\r\n",
        body.len()
    )
}

#[test]
fn wet_round_trip() {
    let dir = Dir::new();
    let info = warc(
        "warcinfo",
        "Content-Type: application/warc-fields\r\n",
        "isPartOf: CC-MAIN-2024\r\nsoftware: x\r\n",
    );
    let conv = warc(
        "conversion",
        "WARC-Target-URI: http://example.test/a\r\nWARC-Block-Digest: sha1:ABC\r\nContent-Type: text/plain\r\n",
        ARTICLE,
    );
    let same = warc(
        "conversion",
        "WARC-Block-Digest: sha1:KEEP\r\n",
        "Nothing to remove here.\n",
    );
    let other = warc("metadata", "", "Advertisement\n");
    let file = format!("{info}{conv}{same}{other}");
    dir.create("x.warc.wet.gz", gzip(file.as_bytes()));
    dir.create("in/y.warc.wet", file.as_bytes());
    let run = dir.run(&["x.warc.wet.gz", "--stats=json"], b"");
    run.code(0);
    let out = run.stdout();
    let want_conv = warc(
        "conversion",
        "WARC-Target-URI: http://example.test/a\r\nContent-Type: text/plain\r\n",
        CLEAN,
    );
    assert_eq!(out, format!("{info}{want_conv}{same}{other}"));
    assert_eq!(run.stats()["documents"], 2);
    assert_eq!(run.stats()["records_passed"], 2);
    // Detected by the first line too, and cleaned to a folder.
    let run = dir.run(&["--no-corpus"], file.as_bytes());
    assert_eq!(run.code(0).stdout(), out);
    dir.run(&["in", "-o", "out"], b"").code(0);
    assert_eq!(dir.read("out/y.warc.wet"), out.as_bytes());
    // A truncated record fails the file with its record number.
    dir.create("t.warc.wet", &file.as_bytes()[..file.len() - 20]);
    let run = dir.run(&["t.warc.wet"], b"");
    run.code(1);
    assert!(
        run.stderr().contains("t.warc.wet: record 4"),
        "{}",
        run.stderr()
    );
}

#[test]
fn doc_separator_repetition_per_document() {
    let dir = Dir::new();
    // "Quux frobnicator sidebar" repeats inside document 1 (boilerplate)
    // but appears once in documents 2 and 3 (content there).
    let stream = "==> one.txt <==\nAlpha story starts.\nQuux frobnicator sidebar\nAlpha goes on.\nQuux frobnicator sidebar\n\
                  ==> two.txt <==\nBeta story.\nQuux frobnicator sidebar\n\
                  ==> three.txt <==\nGamma story.\nQuux frobnicator sidebar\n";
    let run = dir.run(
        &[
            "--doc-separator",
            "^==> .* <==$",
            "--no-builtin-rules",
            "--explain",
            "--stats=json",
        ],
        stream.as_bytes(),
    );
    run.code(0);
    assert_eq!(
        run.stdout(),
        "==> one.txt <==\nAlpha story starts.\nAlpha goes on.\n\
         ==> two.txt <==\nBeta story.\nQuux frobnicator sidebar\n\
         ==> three.txt <==\nGamma story.\nQuux frobnicator sidebar\n"
    );
    assert!(
        run.stderr()
            .contains("<stdin>:1:2\trepeated-in-document\tQuux frobnicator sidebar"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stats()["documents"], 3);
    // Without the separator the whole stream is one document.
    let run = dir.run(&["--no-builtin-rules"], stream.as_bytes());
    assert!(!run.code(0).stdout().contains("Quux"));
    // Form feeds, kept as they are.
    let ff = "Page one.\nAdvertisement\n\x0c\nPage two.\n";
    let run = dir.run(&["--doc-separator", "^\\f$"], ff.as_bytes());
    assert_eq!(run.code(0).stdout(), "Page one.\n\x0c\nPage two.\n");
}

#[test]
fn explain_names_records() {
    let dir = Dir::new();
    let lines = [
        json_line(serde_json::json!({"text": "Fine."})),
        json_line(serde_json::json!({"text": ARTICLE})),
    ];
    dir.create("e.jsonl", lines.join("\n") + "\n");
    let err = dir.run(&["e.jsonl", "--explain"], b"").code(0).stderr();
    assert!(
        err.contains("e.jsonl:2:5\tadvertisement\tAdvertisement"),
        "{err}"
    );
}

/// Records of one invented site: a unique story each, the same footer.
fn site_records(n: usize) -> String {
    (0..n)
        .map(|i| {
            let text = format!(
                "Story number {i} about the town council and its plans for year {}.\n\nResidents gave their views on proposal {i} at a meeting.\n\nCopyright Wendvale Gazette, all rights to this page reserved by its owners\n",
                2000 + i
            );
            json_line(serde_json::json!({"id": i, "text": text})) + "\n"
        })
        .collect()
}

#[test]
fn learning_on_jsonl_per_record() {
    let dir = Dir::new();
    dir.create("site.jsonl", site_records(12));
    // One file, many records: the automatic two-pass still learns.
    let run = dir.run(&["site.jsonl", "--stats=json"], b"");
    run.code(0);
    assert!(
        !run.stdout().contains("Copyright Wendvale"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("Story number 11"));
    assert_eq!(run.stats()["lines_removed"]["corpus"], 12);
    // decruft learn, then --profile on standard input.
    let run = dir.run(
        &["learn", "site.jsonl", "-o", "site.profile", "--stats=json"],
        b"",
    );
    run.code(0);
    assert!(
        run.stderr().contains("\"documents\":12"),
        "{}",
        run.stderr()
    );
    let one = site_records(13).lines().last().unwrap().to_string() + "\n";
    let run = dir.run(
        &["--profile", "site.profile", "--format", "jsonl"],
        one.as_bytes(),
    );
    let out = run.code(0).stdout();
    assert!(
        !out.contains("Copyright Wendvale") && out.contains("Story number 12"),
        "{out}"
    );
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let dir = Dir::new();
    let mut big = String::new();
    for i in 0..3000 {
        big.push_str(&json_line(
            serde_json::json!({"i": i, "text": format!("Item {i}.\n\nAdvertisement\n")}),
        ));
        big.push('\n');
    }
    dir.create("big.jsonl", &big);
    let one = dir
        .run(&["big.jsonl", "-j1", "--no-corpus"], b"")
        .code(0)
        .stdout();
    let two = dir
        .run(&["big.jsonl", "-j2", "--no-corpus"], b"")
        .code(0)
        .stdout();
    assert_eq!(one, two);
    assert_eq!(one.lines().count(), 3000);
    assert!(one.lines().nth(2999).unwrap().starts_with("{\"i\":2999,"));
}

#[test]
fn library_cleans_jsonl_in_small_chunks() {
    use decruft::batch::{self, BatchOptions, Job, Mode, Report, Source};
    use decruft::format::{FormatKind, FormatOptions};
    struct Silent;
    impl Report for Silent {
        fn failed(&self, label: &str, error: &decruft::Error) {
            panic!("{label}: {error}");
        }
        fn removed(&self, _: &str, _: &decruft::Removal<'_>) {}
    }
    let dir = Dir::new();
    let path = dir.create("lib.data", site_records(50));
    let opts = BatchOptions {
        threads: 2,
        format: FormatOptions {
            format: FormatKind::Jsonl,
            // Tiny chunks: many groups, order must hold.
            chunk_size: 300,
            ..FormatOptions::default()
        },
        ..BatchOptions::default()
    };
    let jobs = vec![Job {
        source: Source::File(path),
        label: "lib.data".into(),
        dest: None,
    }];
    let cleaner = decruft::Cleaner::with_defaults();
    let mut out = Vec::new();
    let stats = batch::run(&cleaner, &jobs, &Mode::Stream, &opts, &Silent, &mut out).unwrap();
    assert_eq!(stats.documents, 50);
    assert_eq!(stats.files, 1);
    let out = String::from_utf8(out).unwrap();
    for (i, line) in out.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], i);
    }
    // Learning through the library learns one document per record.
    let builder = batch::learn_formats(&cleaner, &jobs, 2, &opts.format).unwrap();
    assert_eq!(builder.finish(0).docs, 50);
}

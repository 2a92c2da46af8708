//! Data-driven check of `DecodingReader`'s encoding choice on chardet's test
//! files (`shared/eval/charsets/<ENCODING>/`). Each file is decoded with
//! default options and with its true encoding; it passes when the two texts
//! are equal (so iso-8859-1 vs windows-1252, which WHATWG merges, is no
//! miss, and pure-ASCII files pass trivially). Run with
//! `cargo test --test eval_charsets -- --nocapture` to see the counts.

use std::io::Read;
use std::path::PathBuf;

use decruft::decode::{DecodeOptions, DecodingReader};
use encoding_rs::Encoding;

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

/// chardet's folder name to a WHATWG label, or why the folder is skipped.
fn label_for(folder: &str) -> Result<&str, &'static str> {
    let lower = folder.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "big5" => "big5",
        "cp932" | "shift_jis" => "shift_jis",
        "cp949" | "euc-kr" => "euc-kr",
        "euc-jp" => "euc-jp",
        "gb2312" => "gbk",
        "ibm866" => "ibm866",
        "koi8-r" => "koi8-r",
        "maccyrillic" => "x-mac-cyrillic",
        "macroman" => "macintosh",
        "tis-620" => "windows-874",
        "utf-16" => "utf-16le",
        "utf-16be" => "utf-16be",
        "utf-16le" => "utf-16le",
        "ascii" | "utf-8" | "utf-8-sig" => "utf-8",
        "iso-2022-jp" => "iso-2022-jp",
        "iso-8859-1" => "windows-1252",
        "iso-2022-kr" => return Err("WHATWG maps ISO-2022-KR to the replacement encoding"),
        "euc-tw" | "johab" | "ibm855" => return Err("not implemented by encoding_rs"),
        l if l.starts_with("utf-32") => return Err("encoding_rs has no UTF-32"),
        l if l.starts_with("iso-8859-2-") => "iso-8859-2",
        l if l.starts_with("iso-8859-5-") => "iso-8859-5",
        l if l.starts_with("iso-8859-6-") => "iso-8859-6",
        l if l.starts_with("iso-8859-7-") => "iso-8859-7",
        l if l.starts_with("iso-8859-9-") => "windows-1254",
        l if l.starts_with("windows-12") => &folder[..12],
        _ => return Err("unknown folder"),
    })
}

#[test]
fn charset_files_decode_like_their_true_encoding() {
    let root = shared_dir().join("eval/charsets");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("charsets dir")
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    folders.sort_by_key(|e| e.file_name());
    let (mut passed, mut total, mut skipped) = (0, 0, 0);
    let mut by_source: std::collections::BTreeMap<&str, usize> = Default::default();
    for folder in folders {
        let name = folder.file_name().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(folder.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        let label = match label_for(&name) {
            Ok(l) => l,
            Err(why) => {
                println!("{name:<26} skipped ({} files): {why}", files.len());
                skipped += files.len();
                continue;
            }
        };
        let truth = Encoding::for_label(label.as_bytes()).expect("label");
        let mut ok = 0;
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let (want, _, _) = truth.decode(&bytes);
            let mut reader = DecodingReader::new(&bytes[..], &DecodeOptions::default()).unwrap();
            let mut got = String::new();
            reader.read_to_string(&mut got).unwrap();
            if got == want {
                ok += 1;
                *by_source
                    .entry(reader.report().source.as_str())
                    .or_default() += 1;
            } else {
                let r = reader.report();
                println!(
                    "  miss {}: chose {} ({})",
                    path.display(),
                    r.encoding.name(),
                    r.source.as_str()
                );
            }
        }
        println!("{name:<26} {ok}/{} ({label})", files.len());
        passed += ok;
        total += files.len();
    }
    println!(
        "charsets overall: {passed}/{total} pass ({:.1} %), {skipped} files skipped",
        100.0 * passed as f64 / total as f64
    );
    println!("passes by how the encoding was chosen: {by_source:?}");
    assert!(
        passed * 100 >= total * 97,
        "below the 97 % floor: {passed}/{total}"
    );
}

/// Folders (prefixes) in single-byte Latin encodings.
const LATIN_FOLDERS: &[&str] = &[
    "iso-8859-1",
    "iso-8859-2",
    "iso-8859-9",
    "windows-1250",
    "windows-1252",
    "windows-1254",
];

/// Hides every charset declaration ("charset", "coding", "encoding" become
/// "xharset"...), so that the choice rests on the bytes alone.
fn hide_declarations(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let lower = bytes.to_ascii_lowercase();
    for key in [&b"charset"[..], b"coding"] {
        for at in memchr::memmem::find_iter(&lower, key) {
            out[at] = b'x';
        }
    }
    out
}

/// The same files with their declarations hidden: how well detection alone
/// (chardetng plus decruft's windows-1252 plausibility check) does on the
/// single-byte Latin folders, where windows-1252 and Central European
/// encodings are confused. Printed for information, with a floor.
#[test]
fn latin_files_without_declarations() {
    let root = shared_dir().join("eval/charsets");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("charsets dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            LATIN_FOLDERS.iter().any(|p| n.starts_with(p))
                || n.starts_with("iso-8859-2")
                || n.starts_with("iso-8859-9")
        })
        .collect();
    folders.sort();
    let (mut passed, mut total) = (0, 0);
    for name in folders {
        let label = label_for(&name).expect("label");
        let truth = Encoding::for_label(label.as_bytes()).expect("label");
        let mut files: Vec<_> = std::fs::read_dir(root.join(&name))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        let mut ok = 0;
        for path in &files {
            let bytes = hide_declarations(&std::fs::read(path).unwrap());
            let (want, _, _) = truth.decode(&bytes);
            let mut reader = DecodingReader::new(&bytes[..], &DecodeOptions::default()).unwrap();
            let mut got = String::new();
            reader.read_to_string(&mut got).unwrap();
            if got == want {
                ok += 1;
            } else {
                println!(
                    "  undeclared miss {}: chose {}",
                    path.display(),
                    reader.report().encoding.name()
                );
            }
        }
        println!("{name:<26} {ok}/{} undeclared ({label})", files.len());
        passed += ok;
        total += files.len();
    }
    println!("latin files, declarations hidden: {passed}/{total} pass");
    assert!(
        passed * 100 >= total * 90,
        "below the 90 % floor: {passed}/{total}"
    );
}

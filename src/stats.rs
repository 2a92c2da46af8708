//! Statistics: what a run did, summed over workers.
//!
//! Each worker fills a [`Stats`] per document; the driver adds them up
//! (`AddAssign`), so counting needs no locks. `--stats` prints the text
//! form, `--stats=json` the same fields as one JSON object; the key names
//! are the ones the README documents.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::AddAssign;

/// Counters for one document, one file or a whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Inputs cleaned successfully.
    pub files: u64,
    /// Inputs that failed (unreadable, binary, too long a line, ...).
    pub files_failed: u64,
    /// Documents cleaned: one per plain file, one per JSON Lines record,
    /// WET `conversion` record or `--doc-separator` document.
    pub documents: u64,
    /// Records written out uncleaned: JSON Lines records without a string
    /// `--field`, non-`conversion` WET records, records that could not be
    /// cleaned (reported).
    pub records_passed: u64,
    /// Records dropped by `--drop-empty`.
    pub records_dropped: u64,
    /// Malformed records (reported; handled by `--on-error`).
    pub records_malformed: u64,
    /// Raw bytes read (after decompression).
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Lines read (after decoding and repair).
    pub lines_in: u64,
    /// Non-blank lines written.
    pub lines_kept: u64,
    /// Whole lines removed, per reason (rule name, `repeated-in-document`).
    pub lines_removed: BTreeMap<String, u64>,
    /// Spans cut from lines that otherwise stayed, per reason.
    pub spans_removed: BTreeMap<String, u64>,
    /// Inputs per encoding and how it was chosen, e.g. `"UTF-8 (utf-8)"`.
    pub encodings: BTreeMap<String, u64>,
    /// Malformed byte sequences replaced by U+FFFD.
    pub replacement_chars: u64,
    /// Inputs that needed at least one replacement (decoded lossily).
    pub lossy_files: u64,
    /// Lines whose mojibake was repaired.
    pub mojibake_repaired: u64,
    /// HTML entities decoded.
    pub entities_decoded: u64,
    /// Markup tags removed.
    pub tags_removed: u64,
    /// Wall-clock seconds (set by the driver for the whole run).
    pub seconds: f64,
    /// `bytes_in` per second, in MB (10^6 bytes).
    pub mb_per_s: f64,
}

impl Stats {
    /// Total whole lines removed.
    pub fn removed_total(&self) -> u64 {
        self.lines_removed.values().sum()
    }

    /// Sets the elapsed time and derived throughput.
    pub fn set_elapsed(&mut self, seconds: f64) {
        self.seconds = seconds;
        self.mb_per_s = if seconds > 0.0 {
            self.bytes_in as f64 / 1e6 / seconds
        } else {
            0.0
        };
    }

    /// The JSON form (`--stats=json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("stats serialise")
    }
}

fn add_map(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_insert(0) += v;
    }
}

impl AddAssign<&Stats> for Stats {
    fn add_assign(&mut self, o: &Stats) {
        self.files += o.files;
        self.files_failed += o.files_failed;
        self.documents += o.documents;
        self.records_passed += o.records_passed;
        self.records_dropped += o.records_dropped;
        self.records_malformed += o.records_malformed;
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        self.lines_in += o.lines_in;
        self.lines_kept += o.lines_kept;
        add_map(&mut self.lines_removed, &o.lines_removed);
        add_map(&mut self.spans_removed, &o.spans_removed);
        add_map(&mut self.encodings, &o.encodings);
        self.replacement_chars += o.replacement_chars;
        self.lossy_files += o.lossy_files;
        self.mojibake_repaired += o.mojibake_repaired;
        self.entities_decoded += o.entities_decoded;
        self.tags_removed += o.tags_removed;
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "files:              {} cleaned, {} failed",
            self.files, self.files_failed
        )?;
        if self.documents != self.files
            || self.records_passed + self.records_dropped + self.records_malformed > 0
        {
            writeln!(
                f,
                "documents:          {} cleaned; records: {} passed through, {} dropped, {} malformed",
                self.documents, self.records_passed, self.records_dropped, self.records_malformed
            )?;
        }
        writeln!(
            f,
            "bytes:              {} in, {} out ({:.1}% kept)",
            self.bytes_in,
            self.bytes_out,
            if self.bytes_in > 0 {
                100.0 * self.bytes_out as f64 / self.bytes_in as f64
            } else {
                100.0
            }
        )?;
        writeln!(
            f,
            "lines:              {} in, {} kept, {} removed",
            self.lines_in,
            self.lines_kept,
            self.removed_total()
        )?;
        for (reason, n) in by_count(&self.lines_removed) {
            writeln!(f, "  removed {n:>10}  {reason}")?;
        }
        for (reason, n) in by_count(&self.spans_removed) {
            writeln!(f, "  cut     {n:>10}  {reason} (span)")?;
        }
        for (enc, n) in &self.encodings {
            writeln!(f, "encoding:           {n} x {enc}")?;
        }
        if self.replacement_chars > 0 {
            writeln!(
                f,
                "lossy:              {} replacement characters in {} files",
                self.replacement_chars, self.lossy_files
            )?;
        }
        if self.mojibake_repaired + self.entities_decoded + self.tags_removed > 0 {
            writeln!(
                f,
                "repaired:           {} mojibake lines, {} entities, {} tags",
                self.mojibake_repaired, self.entities_decoded, self.tags_removed
            )?;
        }
        write!(
            f,
            "time:               {:.3} s, {:.1} MB/s",
            self.seconds, self.mb_per_s
        )
    }
}

fn by_count(map: &BTreeMap<String, u64>) -> Vec<(&String, &u64)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_add_up() {
        let mut a = Stats {
            files: 1,
            bytes_in: 10,
            ..Stats::default()
        };
        a.lines_removed.insert("advertisement".into(), 2);
        let mut b = Stats {
            files: 2,
            bytes_in: 5,
            ..Stats::default()
        };
        b.lines_removed.insert("advertisement".into(), 1);
        b.lines_removed.insert("share-bar".into(), 4);
        a += &b;
        assert_eq!(a.files, 3);
        assert_eq!(a.bytes_in, 15);
        assert_eq!(a.lines_removed["advertisement"], 3);
        assert_eq!(a.removed_total(), 7);
        let json: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
        assert_eq!(json["lines_removed"]["share-bar"], 4);
    }
}

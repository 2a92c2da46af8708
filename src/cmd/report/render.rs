//! The report page: summary, chart and tables written as HTML here; the
//! document viewer is `report.js` over the JSON island. Everything is
//! inline (CSS, JS, SVG), so the file opens from disk with no network.

use super::collect::Data;
use decruft::Stats;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A hue per reason: reasons in name order, a golden angle apart, so
/// neighbours never look alike.
fn hues<'a>(stats: &'a Stats, data: &'a Data) -> BTreeMap<&'a str, u32> {
    let mut names: Vec<&str> = stats
        .lines_removed
        .keys()
        .chain(stats.spans_removed.keys())
        .chain(&data.reasons)
        .map(String::as_str)
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, (i as f64 * 137.508) as u32 % 360))
        .collect()
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// The whole page.
pub fn page(stats: &Stats, data: &Data, paths: &[PathBuf]) -> String {
    let mut h = String::with_capacity(1 << 20);
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\">\
         <title>decruft report: {}</title><style>{CSS}</style></head><body>\
         <header><h1>decruft review report</h1><p class=\"sub\">{} · decruft {} · \
         nothing was written: this is what <code>decruft {}</code> with the same options would remove.</p>\
         <nav><a href=\"#summary\">Summary</a><a href=\"#boilerplate\">Learned boilerplate</a>\
         <a href=\"#documents\">Documents</a><a href=\"#near\">Near-misses</a></nav></header><main>",
        esc(&inputs.join(" ")),
        esc(&inputs.join(" ")),
        env!("CARGO_PKG_VERSION"),
        esc(&inputs.join(" ")),
    );
    let colours = hues(stats, data);
    summary(&mut h, stats, &colours);
    boilerplate(&mut h, data);
    documents(&mut h, data);
    near(&mut h, data);
    h.push_str("</main>");
    let island = serde_json::json!({
        "docs": data.docs,
        "reasons": data.reasons,
        "hues": colours,
    });
    // '<' only occurs inside JSON strings, where \u003c means the same:
    // the island can never close its script element.
    let json = island.to_string().replace('<', "\\u003c");
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"data\">{json}</script><script>{JS}</script></body></html>"
    );
    h
}

fn row(h: &mut String, name: &str, key: &str, value: u64, note: &str) {
    let _ = write!(
        h,
        "<tr><th>{name}</th><td class=\"num\" data-stat=\"{key}\">{value}</td><td>{note}</td></tr>"
    );
}

fn summary(h: &mut String, s: &Stats, colours: &BTreeMap<&str, u32>) {
    h.push_str(
        "<section id=\"summary\"><h2>Summary</h2><div class=\"cols\"><div><table class=\"facts\">",
    );
    row(h, "files", "files", s.files, "cleaned");
    row(h, "files failed", "files_failed", s.files_failed, "");
    row(
        h,
        "documents",
        "documents",
        s.documents,
        "plain files, records, stream documents",
    );
    let kept = if s.bytes_in > 0 {
        format!(
            "{:.1}% kept",
            100.0 * s.bytes_out as f64 / s.bytes_in as f64
        )
    } else {
        String::new()
    };
    row(h, "bytes in", "bytes_in", s.bytes_in, &mb(s.bytes_in));
    row(
        h,
        "bytes out",
        "bytes_out",
        s.bytes_out,
        &format!("{} · {kept}", mb(s.bytes_out)),
    );
    row(h, "lines in", "lines_in", s.lines_in, "");
    row(h, "lines kept", "lines_kept", s.lines_kept, "non-blank");
    row(
        h,
        "lines removed",
        "lines_removed_total",
        s.removed_total(),
        "all reasons",
    );
    row(
        h,
        "spans cut",
        "spans_removed_total",
        s.spans_removed.values().sum(),
        "from lines that stayed",
    );
    if s.records_passed + s.records_dropped + s.records_malformed > 0 {
        row(
            h,
            "records passed through",
            "records_passed",
            s.records_passed,
            "",
        );
        row(
            h,
            "records dropped",
            "records_dropped",
            s.records_dropped,
            "",
        );
        row(
            h,
            "records malformed",
            "records_malformed",
            s.records_malformed,
            "",
        );
    }
    row(
        h,
        "mojibake lines repaired",
        "mojibake_repaired",
        s.mojibake_repaired,
        "",
    );
    row(
        h,
        "entities decoded",
        "entities_decoded",
        s.entities_decoded,
        "",
    );
    row(h, "tags removed", "tags_removed", s.tags_removed, "");
    row(
        h,
        "replacement characters",
        "replacement_chars",
        s.replacement_chars,
        &format!("in {} lossy files", s.lossy_files),
    );
    let _ = write!(
        h,
        "<tr><th>time</th><td class=\"num\">{:.2} s</td><td>{:.1} MB/s, learning included</td></tr></table>",
        s.seconds, s.mb_per_s
    );
    h.push_str("<h3>Encodings</h3><table class=\"enc\"><tr><th>encoding</th><th>chosen by</th><th class=\"num\">inputs</th></tr>");
    for (enc, n) in &s.encodings {
        let (name, how) = match enc.rsplit_once(" (") {
            Some((a, b)) => (a, b.trim_end_matches(')')),
            None => (enc.as_str(), ""),
        };
        let _ = write!(
            h,
            "<tr data-encoding=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(enc),
            esc(name),
            esc(how)
        );
    }
    h.push_str("</table></div><div>");
    chart(h, s, colours);
    h.push_str("</div></div></section>");
}

/// A horizontal SVG bar chart of removals per reason (lines, then spans).
fn chart(h: &mut String, s: &Stats, colours: &BTreeMap<&str, u32>) {
    let mut bars: Vec<(String, &str, u64)> = Vec::new();
    for (r, &n) in &s.lines_removed {
        bars.push((r.clone(), "line", n));
    }
    for (r, &n) in &s.spans_removed {
        bars.push((r.clone(), "span", n));
    }
    bars.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    h.push_str("<h3>Removed per reason</h3>");
    if bars.is_empty() {
        h.push_str("<p>Nothing was removed.</p>");
        return;
    }
    let max = bars.iter().map(|b| b.2).max().unwrap_or(1).max(1);
    let (bar_h, gap, label_w, width) = (20, 6, 210, 620);
    let height = bars.len() * (bar_h + gap) + gap;
    let _ = write!(
        h,
        "<svg class=\"chart\" role=\"img\" aria-label=\"lines removed per reason\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">"
    );
    for (i, (reason, kind, n)) in bars.iter().enumerate() {
        let y = gap + i * (bar_h + gap);
        let w = ((width - label_w - 70) as f64 * *n as f64 / max as f64).max(1.0);
        let label = if *kind == "span" {
            format!("{reason} (span)")
        } else {
            reason.clone()
        };
        let _ = write!(
            h,
            "<g data-reason=\"{r}\" data-kind=\"{kind}\" data-count=\"{n}\"><title>{l}: {n}</title>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar_h}\" rx=\"3\" fill=\"hsl({hue} 65% 55%)\"/>\
             <text x=\"{nx:.1}\" y=\"{ty}\">{n}</text></g>",
            r = esc(reason),
            l = esc(&label),
            tx = label_w - 8,
            ty = y + bar_h - 5,
            hue = colours.get(reason.as_str()).copied().unwrap_or(0),
            nx = label_w as f64 + w + 6.0,
        );
    }
    h.push_str("</svg>");
}

fn doc_links(h: &mut String, examples: &[usize], data: &Data) {
    for &d in examples {
        let name = &data.docs[d].name;
        let short = name.rsplit('/').next().unwrap_or(name);
        let _ = write!(
            h,
            "<a class=\"doclink\" href=\"#doc-{d}\" title=\"{}\">{}</a> ",
            esc(name),
            esc(short)
        );
    }
}

fn boilerplate(h: &mut String, data: &Data) {
    h.push_str("<section id=\"boilerplate\"><h2>Learned boilerplate</h2>");
    if data.profile_docs == 0 {
        h.push_str("<p>No corpus profile: too few documents to learn from (see <code>--min-docs</code>), <code>--no-corpus</code>, or <code>--no-strip</code>.</p></section>");
        return;
    }
    let _ = write!(
        h,
        "<p>Lines recurring across the {} documents learned; a line needs {} documents to be boilerplate \
         (more for a full sentence), and stays when it sits in a block of prose copied together. \
         The same data as <code>decruft learn --top</code>. Links open sampled documents holding the line.</p>",
        data.profile_docs, data.threshold
    );
    h.push_str("<table class=\"top\"><tr><th class=\"num\">docs</th><th class=\"num\">head %</th><th class=\"num\">tail %</th><th class=\"num\">lines removed</th><th>line</th><th>examples</th></tr>");
    for t in &data.top {
        let pct = |x: u32| 100.0 * f64::from(x) / f64::from(t.docs.max(1));
        let _ = write!(
            h,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{:.0}</td><td class=\"num\">{:.0}</td><td class=\"num\">{}</td><td class=\"text\">{}</td><td>",
            t.docs,
            pct(t.head),
            pct(t.tail),
            t.removed,
            esc(&t.text)
        );
        doc_links(h, &t.examples, data);
        h.push_str("</td></tr>");
    }
    h.push_str("</table></section>");
}

fn documents(h: &mut String, data: &Data) {
    let _ = write!(
        h,
        "<section id=\"documents\"><h2>Documents</h2><p>{} documents embedded (a deterministic sample of at most {}; \
         {} more sampled documents did not fit the size budget). Removed lines are struck through and tinted by reason \
         (hover for the reason); <span class=\"cut legend\">cut spans</span> are marked inside lines that stayed.</p>\
         <div class=\"docs\"><aside><input id=\"search\" type=\"search\" placeholder=\"Search file names and text\" aria-label=\"search documents\">\
         <p id=\"count\"></p><ul id=\"doclist\"></ul></aside><article id=\"viewer\"><p class=\"hint\">Choose a document.</p></article></div></section>",
        data.docs.len(),
        data.sample,
        data.not_embedded
    );
}

fn near(h: &mut String, data: &Data) {
    h.push_str("<section id=\"near\"><h2>Near-misses</h2>");
    let _ = write!(
        h,
        "<h3>Kept lines a built-in rule matched</h3><p>{} kept lines of the embedded documents match a built-in notice rule, \
         but were kept because they read like reported speech or are too long to be a notice.</p>",
        data.rule_misses_total
    );
    if !data.rule_misses.is_empty() {
        h.push_str("<table class=\"near\"><tr><th>rule</th><th>kept because</th><th>line</th><th>document</th></tr>");
        for m in &data.rule_misses {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"text\">{}</td><td>",
                esc(&m.rule),
                m.why,
                esc(&m.text)
            );
            doc_links(h, &[m.doc], data);
            let _ = write!(h, ":{}</td></tr>", m.line);
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>Recurring lines the corpus thresholds kept</h3>");
    if data.corpus_misses.is_empty() {
        h.push_str("<p>None.</p>");
    } else {
        h.push_str("<table class=\"near\"><tr><th class=\"num\">docs</th><th class=\"num\">needed</th><th>kept because</th><th>line</th><th>examples</th></tr>");
        for m in &data.corpus_misses {
            let _ = write!(
                h,
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"text\">{}</td><td>",
                m.docs,
                m.need,
                m.why,
                esc(&m.text)
            );
            doc_links(h, &m.examples, data);
            h.push_str("</td></tr>");
        }
        h.push_str("</table>");
    }
    if !data.failures.is_empty() {
        h.push_str("<h3>Failed inputs</h3><ul>");
        for (label, e) in &data.failures {
            let _ = write!(h, "<li><code>{}</code>: {}</li>", esc(label), esc(e));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>");
}

//! Write stage: assembles kept lines into the output text.
//!
//! Every line ends with one LF; runs of blank lines collapse to one blank
//! line, so paragraphs stay separated; blank lines at the start and the end
//! of a document go. A removed line leaves no blank behind it. The state
//! carries across windows of one document.

/// Builds the output of one document.
#[derive(Debug, Default, Clone)]
pub struct Assembler {
    pending_blank: bool,
    wrote: bool,
}

/// Bytes `start..end` of a source text that are the next output, not yet
/// appended (see [`Assembler::line_in_place`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct SourceRun {
    start: usize,
    end: usize,
}

impl Assembler {
    /// Starts a new document.
    pub fn reset(&mut self) {
        *self = Assembler::default();
    }

    /// Appends a normalised line; an empty line counts as blank.
    pub fn line(&mut self, line: &str, out: &mut String) {
        if line.is_empty() {
            self.pending_blank = self.wrote;
            return;
        }
        if self.pending_blank {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        self.pass(false);
    }

    /// Moves on past a line, blank or not, as [`line`](Assembler::line)
    /// does, without writing it: so that the state at the start of the next
    /// window is known before this window's output is built.
    pub fn pass(&mut self, blank: bool) {
        if blank {
            self.pending_blank = self.wrote;
        } else {
            self.pending_blank = false;
            self.wrote = true;
        }
    }

    /// Appends the non-empty line `src[start..end]`, which an LF follows in
    /// `src`, as [`line`](Assembler::line) would, by extending `run` where
    /// the bytes of `src` are already what `line` would write: a line
    /// right after the run, or one blank line after it. Most kept lines
    /// are left as they came, so a window's output is then copied in a few
    /// long pieces rather than two short ones per line. Call
    /// [`flush`](Assembler::flush) before writing `out` any other way.
    #[inline]
    pub fn line_in_place(
        &mut self,
        src: &str,
        (start, end): (usize, usize),
        run: &mut SourceRun,
        out: &mut String,
    ) {
        debug_assert!(start < end && src.as_bytes()[end] == b'\n');
        let mut from = start;
        if self.pending_blank {
            // The blank line is an LF: any LF of `src` just before the
            // line serves (its own, or that of a removed line).
            if start > 0 && src.as_bytes()[start - 1] == b'\n' {
                from = start - 1;
            } else {
                Assembler::flush(src, run, out);
                out.push('\n');
            }
        }
        if run.end != from {
            Assembler::flush(src, run, out);
            run.start = from;
        }
        run.end = end + 1;
        self.pass(false);
    }

    /// Appends what `run` holds of `src` and empties it.
    pub fn flush(src: &str, run: &mut SourceRun, out: &mut String) {
        out.push_str(&src[run.start..run.end]);
        *run = SourceRun::default();
    }

    /// Appends a line built from two pieces (a line with a span cut out).
    pub fn line_parts(&mut self, head: &str, tail: &str, out: &mut String) {
        match (head.is_empty(), tail.is_empty()) {
            (_, true) => self.line(head, out),
            (true, false) => self.line(tail, out),
            (false, false) => {
                self.line(head, out);
                // Re-join: drop the LF just written and glue with one space.
                out.pop();
                out.push(' ');
                out.push_str(tail);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_runs_collapse_and_ends_are_trimmed() {
        let mut a = Assembler::default();
        let mut out = String::new();
        for l in [
            "",
            "",
            "Title",
            "",
            "",
            "",
            "Para one.",
            "Para two.",
            "",
            "",
        ] {
            a.line(l, &mut out);
        }
        assert_eq!(out, "Title\n\nPara one.\nPara two.\n");
    }

    #[test]
    fn passing_lines_leaves_the_state_writing_them_would() {
        let doc = ["", "Title", "", "", "Para one.", "", "Para two.", ""];
        for cut in 0..=doc.len() {
            // Write everything; or pass over the first `cut` lines and
            // write the rest: the rest comes out the same.
            let (mut whole, mut all) = (Assembler::default(), String::new());
            for l in doc {
                whole.line(l, &mut all);
            }
            let mut passed = Assembler::default();
            let mut head = String::new();
            for l in &doc[..cut] {
                passed.line(l, &mut head);
            }
            let mut skipped = Assembler::default();
            for l in &doc[..cut] {
                skipped.pass(l.is_empty());
            }
            let (mut a, mut b) = (String::new(), String::new());
            for l in &doc[cut..] {
                passed.line(l, &mut a);
                skipped.line(l, &mut b);
            }
            assert_eq!(a, b, "cut at {cut}");
            assert_eq!(head + &a, all);
        }
    }

    #[test]
    fn lines_in_place_write_what_lines_write() {
        let src = "\n\nTitle\n\n\nPara one.\nAd\nPara two.\n\nAd\n\nPara three.\r\n\nEnd.\n";
        // Every line with its span in `src`; "Ad" is removed.
        let mut lines = Vec::new();
        let mut at = 0;
        for line in src.split('\n') {
            lines.push((
                line.trim_end_matches('\r'),
                at,
                at + line.trim_end_matches('\r').len(),
            ));
            at += line.len() + 1;
        }
        lines.pop();
        let (mut a, mut want) = (Assembler::default(), String::new());
        let (mut b, mut got, mut run) = (Assembler::default(), String::new(), SourceRun::default());
        for &(line, start, end) in &lines {
            if line == "Ad" {
                continue;
            }
            a.line(line, &mut want);
            if line.is_empty() {
                b.line(line, &mut got);
            } else if src.as_bytes()[end] == b'\n' {
                b.line_in_place(src, (start, end), &mut run, &mut got);
            } else {
                Assembler::flush(src, &mut run, &mut got);
                b.line(line, &mut got);
            }
        }
        Assembler::flush(src, &mut run, &mut got);
        assert_eq!(got, want);
        assert_eq!(
            want,
            "Title\n\nPara one.\nPara two.\n\nPara three.\n\nEnd.\n"
        );
    }

    #[test]
    fn joined_parts() {
        let mut a = Assembler::default();
        let mut out = String::new();
        a.line_parts("Before", "after", &mut out);
        a.line_parts("", "only tail", &mut out);
        assert_eq!(out, "Before after\nonly tail\n");
    }
}

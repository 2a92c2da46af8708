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
    fn joined_parts() {
        let mut a = Assembler::default();
        let mut out = String::new();
        a.line_parts("Before", "after", &mut out);
        a.line_parts("", "only tail", &mut out);
        assert_eq!(out, "Before after\nonly tail\n");
    }
}

//! What cleaning means (issue 2, "What cleaning means"): line endings,
//! whitespace, invisible characters, blank lines, glued artefacts, and the
//! near-misses that must survive byte-for-byte.

use crate::hay;

dtest!(crlf_and_lone_cr_become_lf, |dir, cmd| {
    let input = "Title of the story\r\n\r\nFirst paragraph ends here.\rSecond paragraph, old Mac style.\r\rThird one.\r\n";
    eqnice!(
        "Title of the story\n\nFirst paragraph ends here.\nSecond paragraph, old Mac style.\n\nThird one.\n",
        cmd.pipe(input)
    );
});

dtest!(crlf_article_cleans_like_lf_article, |dir, cmd| {
    let crlf = hay::FLOOD.replace('\n', "\r\n");
    eqnice!(hay::FLOOD_CLEAN, cmd.pipe(crlf));
});

dtest!(output_ends_with_exactly_one_newline, |dir, cmd| {
    dir.create("none.txt", "No newline at the end of this file.");
    dir.create("many.txt", "Too many newlines at the end.\n\n\n\n");
    dir.create("crs.txt", "Trailing CRs too.\r\n\r\n\r");
    // Concatenated per-file outputs show any missing or extra newline.
    eqnice!(
        "No newline at the end of this file.\nToo many newlines at the end.\nTrailing CRs too.\n",
        cmd.args(["none.txt", "many.txt", "crs.txt"]).stdout()
    );
});

dtest!(empty_and_blank_input_give_empty_output, |dir, cmd| {
    dir.create("empty.txt", "");
    dir.create("blank.txt", "\n\n   \n\t\n");
    eqnice!("", cmd.args(["empty.txt", "blank.txt"]).stdout());
});

dtest!(
    tabs_and_space_runs_fold_and_lines_are_trimmed,
    |dir, cmd| {
        let input = "  \tThe  minister\t\tsaid   the plan   would  work. \t \nNext\t line \n";
        eqnice!(
            "The minister said the plan would work.\nNext line\n",
            cmd.pipe(input)
        );
    }
);

dtest!(unicode_spaces_become_plain_spaces, |dir, cmd| {
    // NBSP, en space, em space, thin space, narrow NBSP, ideographic space.
    let input = "Price:\u{a0}£5\u{2002}a\u{2003}head,\u{2009}said\u{202f}the\u{3000}organiser.\n";
    eqnice!("Price: £5 a head, said the organiser.\n", cmd.pipe(input));
});

dtest!(zero_width_space_and_soft_hyphen_are_removed, |dir, cmd| {
    let input = "The inter\u{ad}national com\u{200b}mittee met in Gene\u{ad}va.\n";
    eqnice!(
        "The international committee met in Geneva.\n",
        cmd.pipe(input)
    );
});

dtest!(zwj_and_zwnj_are_kept_where_scripts_need_them, |dir, cmd| {
    // A family emoji (ZWJ sequence) and Persian "mi-khaham" (ZWNJ).
    let input = "Family day \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} at the park.\nمی\u{200c}خواهم بروم.\n";
    eqnice!(input, cmd.pipe(input));
});

dtest!(control_characters_are_removed, |dir, cmd| {
    let input = "Bell\u{7} and escape\u{1b} and backspace\u{8} gone.\n";
    eqnice!("Bell and escape and backspace gone.\n", cmd.pipe(input));
});

dtest!(blank_line_runs_collapse_and_ends_are_trimmed, |dir, cmd| {
    let input = "\n\n  \n\t\nHeadline\n\n\n\n\nFirst paragraph.\n \n\t\n\nSecond paragraph.\nStill second.\n\n\n   \n";
    eqnice!(
        "Headline\n\nFirst paragraph.\n\nSecond paragraph.\nStill second.\n",
        cmd.pipe(input)
    );
});

dtest!(removed_lines_leave_no_blank_gap, |dir, cmd| {
    let input = "First paragraph.\n\nAdvertisement\n\nSecond paragraph.\n\nShare this article\n";
    eqnice!("First paragraph.\n\nSecond paragraph.\n", cmd.pipe(input));
});

dtest!(glued_media_artefact_is_cut_rest_of_line_kept, |dir, cmd| {
    let input = "Media playback is unsupported on your device Media caption Firefighters spent six hours at the scene in Ashton.\n";
    eqnice!(
        "Firefighters spent six hours at the scene in Ashton.\n",
        cmd.pipe(input)
    );
});

dtest!(glued_image_artefact_is_cut_rest_of_line_kept, |dir, cmd| {
    let input = "Image copyright Getty Images Image caption The pier was closed to the public in 2019 after storm damage.\n";
    eqnice!(
        "The pier was closed to the public in 2019 after storm damage.\n",
        cmd.pipe(input)
    );
});

dtest!(glued_artefacts_inside_an_article, |dir, cmd| {
    let input = "Pier to reopen\n\nImage copyright PA Media Image caption The pier was closed in 2019.\n\nThe council has found £2m for repairs.\n\nMedia playback is unsupported on your device Media caption Watch: the pier in the storm\n";
    eqnice!(
        "Pier to reopen\n\nThe pier was closed in 2019.\n\nThe council has found £2m for repairs.\n\nWatch: the pier in the storm\n",
        cmd.pipe(input)
    );
});

dtest!(standalone_notices_go_between_real_paragraphs, |dir, cmd| {
    let notices = [
        "Advertisement",
        "Media playback is unsupported on your device",
        "Skip to main content",
        "Read more",
        "Image copyright Getty Images",
        "Share this article",
        "Accept all cookies",
        "Sign up for our newsletter",
        "   ADVERTISEMENT  ",
        "Skip  to\tmain content.",
        "To view this content, you'll need to update your privacy settings.",
    ];
    // Near-miss prose between the notices: the notices go, the prose stays.
    let prose = &hay::NEAR_MISSES[..notices.len()];
    let mut input = String::new();
    for (p, n) in prose.iter().zip(notices) {
        input.push_str(&format!("{p}\n\n{n}\n\n"));
    }
    let expected = prose.join("\n\n") + "\n";
    let out = cmd.arg("--explain").stdin(&input).assert_exit(0);
    out.assert_stdout(&expected);
    assert_eq!(
        out.stderr.lines().count(),
        notices.len(),
        "{}",
        out.report()
    );
});

dtest!(near_misses_are_kept_byte_for_byte, |dir, cmd| {
    // One document with every row, as paragraphs...
    let doc = hay::NEAR_MISSES.join("\n\n") + "\n";
    cmd.arg("--explain")
        .stdin(&doc)
        .assert_exit(0)
        .assert_stdout(&doc)
        .assert_quiet();
    // ...and as consecutive lines of one paragraph.
    let doc = hay::NEAR_MISSES.join("\n") + "\n";
    eqnice!(doc, dir.command().pipe(&doc));
});

dtest!(near_misses_starting_like_notices_are_kept, |dir, cmd| {
    let doc = hay::NEAR_MISSES_REMOVED.join("\n\n") + "\n";
    cmd.arg("--explain")
        .stdin(&doc)
        .assert_exit(0)
        .assert_stdout(&doc)
        .assert_quiet();
});

dtest!(short_lines_that_do_not_repeat_stay, |dir, cmd| {
    // Short headline-like lines are only removed when they repeat.
    let input =
        "Weather\n\nSunny spells, highs of 14C.\n\nTraffic\n\nThe A6 is closed at Garstang.\n";
    eqnice!(input, cmd.pipe(input));
});

dtest!(cleaning_is_idempotent, |dir, cmd| {
    let dirty = [hay::FLOOD, hay::COUNCIL, hay::MATCH].join("\n");
    let once = cmd.pipe(&dirty);
    let twice = dir.command().pipe(&once);
    eqnice!(once, twice);
});

dtest!(no_strip_only_normalises, |dir, cmd| {
    let input = "Advertisement\r\n\r\n\r\nThe  story\tcontinues.\r\n";
    eqnice!(
        "Advertisement\n\nThe story continues.\n",
        cmd.arg("--no-strip").pipe(input)
    );
});

// What a cut leaves is judged again as a line of its own, so that cleaning
// the output a second time changes nothing.

dtest!(cut_remainder_is_repaired_by_its_new_context, |dir, cmd| {
    // Mid-line, "Ã " after a comma is left alone; once the caption label is
    // cut it starts the line, where repair reads it as a mangled "à ".
    let input = "Image caption, Ã la carte menus are back in fashion\n";
    let once = cmd.arg("--explain").stdin(input).assert_exit(0);
    once.assert_stdout("à la carte menus are back in fashion\n");
    assert!(once.stderr.contains("Image caption,"), "{}", once.report());
    eqnice!(once.stdout, dir.command().pipe(&once.stdout));
});

dtest!(
    cut_remainder_meets_a_second_span_and_a_line_rule,
    |dir, cmd| {
        dir.create("rules.txt", "span: \\[ad\\] ?\nSponsored content\n");
        // A second "[ad]" that only the remainder shows the span rule, and a
        // remainder that the whole-line rule removes.
        let input = "Markets rose [ad] on Friday [ad] as oil fell.\nSponsored content [ad]\nClosing paragraph.\n";
        let out = cmd
            .args(["--rules", "rules.txt"])
            .stdin(input)
            .assert_exit(0);
        out.assert_stdout("Markets rose on Friday as oil fell.\nClosing paragraph.\n");
        eqnice!(
            out.stdout,
            dir.command()
                .args(["--rules", "rules.txt"])
                .pipe(&out.stdout)
        );
    }
);

//! Fixtures ("haystacks") for the integration tests: invented news-like
//! articles with the web-scrape notices decruft must strip, the text it
//! must produce, near-miss sentences it must keep, and generators for large
//! inputs. Everything here was written for these tests; the only shared
//! data used is the seed article, read from `../shared` at run time.
//!
//! Cargo also builds this file alone as a test target (it lies directly in
//! `tests/`), hence the blanket `dead_code` allowance.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared project folder (`../shared`): seed article and corpus. Read
/// only; nothing from it is ever copied into the repository.
pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

/// A scraped article: site chrome, a timestamp, a share bar, glued media
/// and image artefacts, an advert marker, a read-more link, a newsletter
/// prompt and a footer, plus messy whitespace (double spaces, a tab,
/// trailing spaces, blank-line runs).
pub const FLOOD: &str = "\
Skip to main content
Menu
Search

River Wyre flood barrier opens two years late


Published 14 March 2024
Share this article
Facebook  Twitter  WhatsApp  Email

A £38m flood barrier on the River Wyre has finally opened,  two years after it was due to be finished.  

Image copyright Getty Images Image caption Engineers tested the gates on Tuesday morning.

The barrier, which protects\tabout 2,400 homes in Garstang and St Michael's, was delayed by a shortage of steel and two wet winters.

Advertisement

Local councillor Mary Hesketh said residents had \"lived with sandbags by the door\" for a decade.



Media playback is unsupported on your device Media caption Residents describe the night the river came in.

The Environment Agency said the final cost was £6m above the original estimate.

Read more: Why flood defences keep running over budget

Work on a second barrier downstream is expected to start in the spring.

Sign up for our morning newsletter
Copyright © 2024 Lancashire Courier. All rights reserved.
";

/// [`FLOOD`] as decruft must write it.
pub const FLOOD_CLEAN: &str = "\
River Wyre flood barrier opens two years late

A £38m flood barrier on the River Wyre has finally opened, two years after it was due to be finished.

Engineers tested the gates on Tuesday morning.

The barrier, which protects about 2,400 homes in Garstang and St Michael's, was delayed by a shortage of steel and two wet winters.

Local councillor Mary Hesketh said residents had \"lived with sandbags by the door\" for a decade.

Residents describe the night the river came in.

The Environment Agency said the final cost was £6m above the original estimate.

Work on a second barrier downstream is expected to start in the spring.
";

/// Whole lines [`FLOOD`] loses, per rule (spans are counted separately).
pub const FLOOD_REMOVED: &[(&str, u64)] = &[
    ("advertisement", 1),
    ("copyright-footer", 1),
    ("newsletter-prompt", 1),
    ("read-more", 1),
    ("share-bar", 2),
    ("site-chrome", 3),
    ("timestamp", 1),
];

/// Span cuts in [`FLOOD`], per rule.
pub const FLOOD_SPANS: &[(&str, u64)] = &[("image-credit", 1), ("media-unsupported", 1)];

/// A second article: council news with a cookie banner and an embed
/// notice pair in the middle.
pub const COUNCIL: &str = "\
Council tax in Wyre to rise by 4.99%

We use cookies to improve your experience on our site.
Accept all cookies

Households in Wyre will pay an extra £1.60 a week for council services from April after councillors approved the budget by 29 votes to 17.

The authority said the rise would protect weekly bin collections and keep all three leisure centres open.

To view this content, you'll need to update your privacy settings.
Please click here to do so.

Opposition members argued that the increase fell hardest on pensioners living alone.
";

/// [`COUNCIL`] as decruft must write it.
pub const COUNCIL_CLEAN: &str = "\
Council tax in Wyre to rise by 4.99%

Households in Wyre will pay an extra £1.60 a week for council services from April after councillors approved the budget by 29 votes to 17.

The authority said the rise would protect weekly bin collections and keep all three leisure centres open.

Opposition members argued that the increase fell hardest on pensioners living alone.
";

/// A third article: a match report with a share bar and a related link.
pub const MATCH: &str = "\
Fleetwood edge past Morecambe in derby

Share on Facebook | Share on Twitter | Email

A late header from the substitute Jayden Okafor gave Fleetwood a 2-1 win at Highbury Stadium on Saturday.

Morecambe had led at half-time through a deflected free-kick, but faded badly after the break.

Related topics
";

/// [`MATCH`] as decruft must write it.
pub const MATCH_CLEAN: &str = "\
Fleetwood edge past Morecambe in derby

A late header from the substitute Jayden Okafor gave Fleetwood a 2-1 win at Highbury Stadium on Saturday.

Morecambe had led at half-time through a deflected free-kick, but faded badly after the break.
";

/// Sentences that mention cookies, privacy settings, newsletters,
/// advertising, media playback, sharing or images inside real prose.
/// Every one must come out byte-for-byte. They are distinct, so the
/// repetition rule cannot fire either.
pub const NEAR_MISSES: &[&str] = &[
    "Advertising revenue at the group fell by 12% last year, its annual report shows.",
    "The privacy settings on the app were changed last month, leaving thousands of users exposed.",
    "Cookies and cakes baked by pupils raised more than £400 for the hospice.",
    "Her weekly newsletter about local planning disputes now has 6,000 readers.",
    "Sponsored by the rotary club, the fun run raised £3,000 for the air ambulance.",
    "Share prices in Europe fell sharply on Monday as investors reacted to the figures.",
    "Media playback is now the largest single use of mobile data, the regulator's survey shows.",
    "Subscribers to the parish newsletter were the first to hear about the closure.",
    "We use cookies from the bakery on Mill Street for every school fete.",
    "Updated guidance for care homes was issued by the health department on Friday.",
    "Loading bays on the high street will be closed until March.",
    "Home owners in the valley have been told to expect higher premiums.",
    "Accept the offer or walk away: that is the choice facing the union's members.",
    "Read more widely, the head teacher urged her pupils at the prize-giving.",
    "The regulator fined the firm for setting advertising cookies without consent.",
    "Image rights for the club's players are negotiated separately from their wages.",
    "Newsletters, leaflets and posters were all used in the campaign.",
    "To view the eclipse safely, you will need special glasses, astronomers say.",
    "Please click here, the scam email urged, and thousands of people did.",
    "Sign-up to the scheme has been slow, with only 300 firms taking part.",
    "The website was told to update its cookie banner after complaints from users.",
    "Skip the queues by booking online, the museum advises visitors.",
    "\"To view this content, you'll need to update your privacy settings,\" read the message on the screen.",
    "The advert, which ran during the cup final, was banned by the watchdog.",
    "Your email address is among those leaked, the bank warned 40,000 customers.",
];

/// Realistic sentences that the built-in rules wrongly remove as whole
/// lines (see the ignored test in `cleaning.rs` and the report).
pub const NEAR_MISSES_REMOVED: &[&str] = &[
    "Published on Monday, the report found that waiting times had doubled since 2019.",
    "Published yesterday, the figures show the sharpest rise in rents for a decade.",
    "Photographs by the late Fay Godwin are on show at the gallery until June.",
    "Pictures by local schoolchildren now decorate the walls of the children's ward.",
    "(c) any person who knowingly supplies false information commits an offence.",
];

/// French prose in windows-1252 (accents, guillemets, a curly apostrophe)
/// and the UTF-8 text it must decode to.
pub const FRENCH: &str = "Le café de la gare a fermé ses portes après quarante ans d’activité. « C’est la fin d’une époque », a déclaré le maître d’hôtel, Jérôme Lefèvre, qui y travaillait depuis 1987.";

/// Encodes text that fits windows-1252 into its bytes.
pub fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '€' => 0x80,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            c => panic!("{c:?} is not in the test's windows-1252 table"),
        })
        .collect()
}

/// Path of the seed acceptance article.
pub fn seed_path() -> PathBuf {
    PathBuf::from(SHARED).join("seed/000_24a0170b1108bb7b.txt")
}

/// The seed article as stored.
pub fn seed() -> String {
    std::fs::read_to_string(seed_path()).expect("read ../shared/seed article")
}

/// The two lines of the notice that appears twice in the seed article.
pub const SEED_NOTICE: [&str; 2] = [
    "To view this content, you'll need to update your privacy settings.",
    "Please click here to do so.",
];

/// The seed article with both copies of the notice pair removed (each pair
/// takes its following blank line with it), every other line unchanged and
/// in order, and one final newline. Panics if the seed does not hold the
/// notice exactly twice, so a changed seed cannot make the test vacuous.
pub fn seed_expected() -> String {
    let seed = seed();
    let lines: Vec<&str> = seed.lines().collect();
    let mut kept = Vec::new();
    let mut removed = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == SEED_NOTICE[0] && lines.get(i + 1) == Some(&SEED_NOTICE[1]) {
            removed += 2;
            i += 2;
            if lines.get(i) == Some(&"") {
                i += 1;
            }
            continue;
        }
        kept.push(lines[i]);
        i += 1;
    }
    assert_eq!(removed, 4, "the seed should hold the notice pair twice");
    let mut out = kept.join("\n");
    out.push('\n');
    out
}

/// 1-based line numbers of the notice lines in the seed.
pub fn seed_notice_lines() -> Vec<usize> {
    seed()
        .lines()
        .enumerate()
        .filter(|(_, l)| SEED_NOTICE.contains(l))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Sentences the generator combines; each generated line joins four, so
/// lines are long (over 200 characters) and never repetition candidates.
const SENTENCES: &[&str] = &[
    "The council met again on Tuesday to discuss the bypass.",
    "Residents had waited outside the town hall for most of the afternoon.",
    "Engineers say the bridge will need a new deck within five years.",
    "The bus company blamed a shortage of drivers for the cancelled routes.",
    "A spokesperson for the hospital trust declined to comment on the figures.",
    "Police closed the road for several hours while the lorry was recovered.",
    "The school's new science block is due to open in September.",
    "Farmers in the valley have lost a third of their winter crop to flooding.",
    "The library will now open on Sundays for the first time in a decade.",
    "Shoppers were evacuated after a fire broke out in a storeroom.",
    "The festival drew more than 20,000 visitors over the bank holiday weekend.",
    "Planning officers recommended that the application be refused.",
    "The harbour wall was damaged by the storm surge on Thursday night.",
    "A petition against the closure has gathered more than 5,000 signatures.",
    "The club said ticket prices would be frozen for another season.",
    "Volunteers spent the weekend clearing litter from the beach.",
];

/// About `bytes` bytes of distinct, already-clean lines (so the cleaned
/// output equals the input), deterministic for a given `seed`.
pub fn generated(bytes: usize, seed: u64) -> String {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut out = String::with_capacity(bytes + 512);
    let mut n = 0u64;
    while out.len() < bytes {
        n += 1;
        out.push_str(&format!("Update {n}:"));
        for _ in 0..4 {
            out.push(' ');
            out.push_str(SENTENCES[next() % SENTENCES.len()]);
        }
        out.push('\n');
    }
    out
}

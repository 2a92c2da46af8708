// The built-in rule table, kept free of crate paths so that the build
// script (build.rs) can include it too and compile the same patterns into
// the automata it embeds. Included by `builtin.rs`; see its documentation.

/// Words a share bar is made of.
macro_rules! share_word {
    () => {
        r"(?:share|tweet|pin|email|e-mail|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|messenger|telegram|flipboard|bluesky|threads|print|copy|link|this|with|on|via|article|story|page|the|comments?|save|sms)"
    };
}

/// Words that make a line a share bar (at least one must appear).
macro_rules! share_key {
    () => {
        r"(?:share|tweet|email|e-mail|facebook|twitter|whatsapp|linkedin|pinterest|reddit|messenger|telegram|flipboard|bluesky|print)"
    };
}

/// Separators between share-bar words.
macro_rules! share_sep {
    () => {
        r"(?: ?[,|/·•:] ?| )"
    };
}

/// Site footer links.
macro_rules! footer_link {
    () => {
        r"(?:terms (?:of (?:use|service)|and conditions|& conditions)|privacy (?:policy|notice)|cookie (?:policy|notice|settings)|contact us|about us|accessibility(?: help)?|sitemap|site map|careers|jobs|advertise(?: with us)?|help|faq|rss)"
    };
}

/// Month names, whole or abbreviated. Exact alternatives, not a prefix and
/// `[a-z]{0,6}`: several bounded letter runs inside one repeated group made
/// the lazy DFA build states for every combination of counters.
macro_rules! month {
    () => {
        r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    };
}

/// Day names, whole or abbreviated.
macro_rules! weekday {
    () => {
        r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
    };
}

/// The longest line, in bytes, that a built-in line rule may remove.
pub const MAX_NOTICE_LEN: usize = 1024;

/// `(name, kind, pattern)` for every built-in rule.
pub const BUILTIN: &[(&str, RuleKind, &str)] = &[
    // Privacy-settings and consent gates that replace embedded content.
    (
        "privacy-notice",
        Line,
        r"(?:to view this (?:content|media|video|post)|this content (?:is not available|cannot be displayed)),? (?:you['’]ll|you will) need to (?:update|change|accept) your (?:privacy|cookie) (?:settings|preferences)",
    ),
    (
        "privacy-notice",
        Line,
        r"please click here to do so|(?:update|change|manage) your (?:privacy|cookie) (?:settings|preferences) (?:here )?to (?:see|view) (?:it|this(?: content)?)|this content is (?:not available|blocked) (?:due to|because of) your (?:privacy|cookie) (?:settings|preferences|choices)",
    ),
    (
        "embed-notice",
        Line,
        r"this embed is (?:no longer )?(?:un)?available|view this (?:post|photo|video) on (?:instagram|facebook|twitter|x|tiktok|youtube)|a (?:post|photo|video) shared by [^@]*@[a-z0-9_.]+\)?(?: on .+)?|allow (?:twitter|x|instagram|facebook|youtube|tiktok|external|third[- ]party) content ?\?|(?:skip|end of) (?:twitter|x|instagram|facebook|youtube|tiktok) (?:post|content|video)(?: [0-9]{1,3})?(?: by .+)?|(?:the bbc is|we are|we['’]re) not responsible for the content of external (?:sites|websites)|warning: third party content may contain adverts|content (?:is )?not available|accept and continue",
    ),
    (
        "media-unsupported",
        Line,
        r"media playback is (?:unsupported|not supported) on your device|your browser does not support (?:the )?(?:video|audio|iframes?|html5 video)(?: (?:tag|element|playback))?|video player is loading|(?:please )?(?:enable|turn on) javascript(?: to .+)?|javascript is (?:disabled|required)(?: .+)?|(?:click|press|tap) (?:here )?to (?:play|watch|listen)(?: .+)?|listen to this article(?: [0-9]{1,3} min(?:ute)?s?)?|play video|loading(?: video)?(?:\.{1,3}|…)?",
    ),
    (
        "advertisement",
        Line,
        r"(?:advertisement|advertising|advert|ad|ads|sponsored|sponsored content|promoted|paid content|paid partnership|promoted stories)(?: ?[-–—:] ?(?:scroll|continue) (?:down )?to (?:continue|read)(?: reading)?)?|(?:story|article) continues (?:below|after)(?: (?:this )?(?:advertisement|advert|ad))?|continue reading (?:the )?(?:main )?(?:story|article)(?: below)?|skip advert(?:isement)?",
    ),
    (
        "cookie-banner",
        Line,
        r"(?:this (?:web)?site|we|our (?:web)?site)(?: and our partners)? uses? cookies(?: and (?:similar|other) (?:technologies|tracking technologies))? (?:to|so that|in order to) (?:give|ensure|improve|personalise|personalize|provide|enhance|offer|analyse|analyze|deliver|make|help)[^“”\x22]*|by (?:continuing to )?(?:use|using|browse|browsing|visit|visiting) (?:this|our|the) (?:web)?site,? you (?:agree|consent|accept) to (?:our|the) use of cookies[^“”\x22]*|(?:accept|reject|allow|decline|refuse)(?: all)?(?: (?:cookies|and close))?|(?:manage|cookie) (?:cookies|settings|preferences|consent)|we value your privacy|(?:i )?(?:agree|accept)(?: and close)?|(?:ok|okay|got it)(?:,? (?:i agree|thanks))?",
    ),
    (
        "newsletter-prompt",
        Line,
        r"(?:sign up|subscribe|register)(?: (?:now|today|here|free|for free))?(?: (?:for|to))?(?: (?:our|the|my))?(?: free)?(?: [a-z0-9_'’&-]+){0,4} newsletters?(?: ?[-–—:] ?.+| (?:and|to|for) .+)?|(?:get|receive) (?:the latest|our best|the best|the top) (?:news|stories|headlines|updates)[^“”\x22.]* (?:delivered )?(?:to|in) your inbox[^“”\x22]*|enter your email(?: address)?(?: (?:here|below))?|your email address|thank you for (?:subscribing|signing up)[.!]?(?: .+)?|we have more newsletters|sign up|subscribe(?: now| today| here)?|newsletters?|invalid email(?: address)?|(?:see|read) our privacy (?:notice|policy)",
    ),
    (
        "share-bar",
        Line,
        concat!(
            "(?:",
            share_word!(),
            share_sep!(),
            ")*",
            share_key!(),
            "(?:",
            share_sep!(),
            share_word!(),
            ")*"
        ),
    ),
    (
        "read-more",
        Line,
        r"(?:read more|read next|also read|see also|related(?: (?:articles?|stories|content|topics|coverage|links|internet links|reading))?|more on this story|more (?:from|stories from|news from) (?-i:[A-Z][a-z0-9_&'’.-]*)(?: (?-i:[A-Z][a-z0-9_&'’.-]*)){0,5}|you (?:may|might) also (?:like|be interested in)|recommended(?: for you| stories| articles)?|most (?:read|popular|viewed|shared)|top stories|read the full (?:story|article)|continue reading|click here to read more)(?: ?(?::|[-–—»>|]) ?.+)?",
    ),
    (
        "image-credit",
        Line,
        r"(?:image|photo|picture|photograph|video) (?:copyright|source|credit|courtesy),? ?:? ?(?-i:[A-Z0-9(][^ ]*)(?: (?-i:[A-Z0-9(/&][^ ]*)){0,5}|(?:image|photo|picture|photograph)s? ?: ?(?-i:[A-Z0-9(][^ ]*)(?: (?-i:[A-Z0-9(/&][^ ]*)){0,5}|\((?:photo|image|picture|photograph)s? (?:by|courtesy of):? [^()]+\)|(?:photo|image|picture|photograph)s? (?:by|courtesy of):? (?-i:[A-Z][^ ]*)(?: (?-i:[A-Z/&(][^ ]*)){0,5}|(?:[a-z0-9_.-]+ ?/ ?)?(?:getty images|afp|reuters|pa(?: media| wire)?|ap(?: photo)?|epa(?:-efe)?|shutterstock|alamy)(?: ?/ ?[a-z0-9_. -]+)?|(?:image|media) caption",
    ),
    (
        "site-chrome",
        Line,
        r"skip to (?:main )?(?:content|navigation|search|footer)|jump to (?:navigation|content|main content)|(?:back|return) to (?:top|the top)|toggle navigation|(?:open|close) (?:menu|navigation|search)|main menu|menu|search|home|close|log ?in|sign in|sign out|my account|(?:download|get) (?:our|the) (?:free )?app(?: (?:now|here|today|for .+|on .+))?|follow us(?: on (?:twitter|facebook|instagram|x|linkedin|youtube|tiktok|threads|bluesky|whatsapp|telegram|mastodon|social media|social)(?: ?(?:,|/|&|\||and|or) ?(?:twitter|facebook|instagram|x|linkedin|youtube|tiktok|threads|bluesky|whatsapp|telegram|mastodon|social media|social))*)?(?: @[a-z0-9_.]+)?|like us on facebook|(?:leave|post|add) a comment|[[0-9],]{1,9} comments?|comments? \([0-9]{1,9}\)|report (?:an error|a correction|this (?:ad|comment))",
    ),
    (
        "timestamp",
        Line,
        concat!(
            r"(?:published|updated|last updated|posted|first published)(?: on| at)? ?:? (?:[0-9]{1,2}[:.][0-9]{2}|[0-9]{1,2} ",
            month!(),
            r"|",
            month!(),
            r" [0-9]{1,2}|",
            weekday!(),
            r"|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}|[0-9]{1,4} (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?) ago|(?:an?|one) (?:minute|hour|day|week) ago|yesterday|today)(?: ?[,|·•-]? ?(?:[0-9]{1,4}(?:[:.][0-9]{2})?(?:am|pm)?|",
            month!(),
            r"|",
            weekday!(),
            r"|gmt|bst|utc|cet|cest|est|edt|pst|pdt|et|am|pm|at|on|ago|minutes?|mins?|hours?|hrs?|days?|updated|(?:by|from) (?-i:[A-Z][a-z]+)(?: (?-i:[A-Z][a-z]+)){0,3}))*"
        ),
    ),
    (
        "copyright-footer",
        Line,
        concat!(
            r"(?:copyright ?)?© ?[^“”\x22]*|(?:copyright ?)?\(c\) ?(?:[0-9]{4}|(?-i:[A-Z]))[^“”\x22]*|copyright (?:©)? ?[0-9]{4}(?: ?[-–] ?[0-9]{4})?[^“”\x22]*|all rights reserved\.?|",
            footer_link!(),
            "(?: ?[|·•,/] ?",
            footer_link!(),
            ")*"
        ),
    ),
    // Glued artefacts: a span at the start of a paragraph; the rest is kept.
    (
        "media-unsupported",
        Span,
        r"^media playback is (?:unsupported|not supported) on your device ?(?:media caption,? ?)?",
    ),
    (
        "image-credit",
        Span,
        r"^(?:(?:image|picture|photo) (?:copyright|source),? .+? )?(?:image|picture|photo|media) caption,? ",
    ),
];

/// Built-in line rules never remove a line that reads like reported speech:
/// a notice never says who said it, a near-miss sentence often does.
///
/// Word boundaries are ASCII (`(?-u:\b)`): a Unicode boundary makes the
/// regex engine leave its DFA for a backtracker on any non-ASCII line, which
/// cost 30,000 instructions per matched line.
pub const PROSE_GUARD: &str = r#"(?i)(?-u:\b)(?:said|says|told|according to|claimed|claims|argued|warned|added|explained|wrote|reported|insisted|admitted)(?-u:\b)|["“”]"#;

/// Trailing punctuation tolerated after a whole-line rule.
pub const LINE_TAIL: &str = r"[.!?…:;,]{0,3}";

/// A rule's pattern as it is compiled: whole-line patterns match the entire
/// line, case-insensitively, with a little trailing punctuation tolerated.
pub fn wrap(kind: RuleKind, pattern: &str) -> String {
    match kind {
        RuleKind::Line => format!("(?i)^(?:{pattern}){LINE_TAIL}$"),
        RuleKind::Span => format!("(?i){pattern}"),
    }
}

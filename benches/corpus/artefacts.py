"""Scrape artefacts injected into clean BBC articles by the benchmark generators.

One vocabulary shared by `benches/corpus/generate.py` (speed corpus) and
`benches/quality/run.py` (quality benchmark), so both measure the same kinds of
cruft. Standard library only. Every string here was written for decruft; none
is copied from a real site.

Kinds (the quality manifest uses these names):
  known-notice  boilerplate any site may print and a built-in rule should know
                (privacy/embed notice pairs, cookie banners, newsletter
                prompts, share bars, "Advertisement", "Back to top", ...)
  site          lines one invented site repeats on every page (name banner,
                nav bar, footer, app promotion): only corpus learning finds
                them
  template      per-site lines whose digits vary (dates, times, counts)
  near-miss     real-looking prose that merely mentions cookies, privacy,
                newsletters or advertising: must be kept
"""

import random

# Groups of lines that appear together; a group of two is a notice pair.
KNOWN_NOTICE_GROUPS = [
    ["To view this content, you'll need to update your privacy settings.",
     "Please click here to do so."],
    ["This content is not available due to your privacy preferences.",
     "Update your settings here to see it."],
    ["This embedded content is hosted by a third party.",
     "Allow cookies to view it, or open it on the original site."],
    ["Advertisement"],
    ["ADVERTISEMENT"],
    ["Story continues below advertisement"],
    ["We use cookies to improve your experience on our site. "
     "By continuing to browse you agree to our use of cookies."],
    ["This website uses cookies to ensure you get the best experience.",
     "Accept all cookies"],
    ["Manage cookie preferences"],
    ["Sign up for our newsletter to get the latest news delivered to your inbox."],
    ["Subscribe to our daily newsletter"],
    ["Get the morning briefing: sign up to our free newsletter"],
    ["Share this article Facebook Twitter Email"],
    ["Share this with Facebook Messenger WhatsApp Email Copy this link"],
    ["Share on Facebook Share on Twitter Share via Email"],
    ["Media playback is unsupported on your device"],
    ["Image copyright Getty Images"],
    ["Image copyright Reuters"],
    ["Skip to main content"],
    ["Back to top"],
    ["Click here to subscribe"],
    ["Enable JavaScript to view this content."],
    ["Sorry, this video is not available in your location."],
    ["Comments are closed for this article."],
]

# Lines that open with a fixed prefix and end with a varying tail.
READ_MORE_PREFIXES = ["Read more: ", "READ MORE: ", "Related: ", "Also read: "]

# Every fixed known-notice line, flat (what benches/compare/notices.txt lists).
KNOWN_NOTICE_LINES = [l for g in KNOWN_NOTICE_GROUPS for l in g]

# Notices that normally sit between paragraphs (not header/footer ones).
BODY_NOTICE_GROUPS = [g for g in KNOWN_NOTICE_GROUPS
                      if g[0] not in ("Skip to main content", "Back to top")]
PRIVACY_PAIRS = KNOWN_NOTICE_GROUPS[:3]

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# Eight invented sites. `header`/`footer` lines are site-specific; entries in
# HEADER_GENERIC/FOOTER_GENERIC are known notices that sites also print.
SITES = [
    dict(slug="daily-example", name="The Daily Example",
         header=["THE DAILY EXAMPLE | Independent since 1887",
                 "Home | News | Sport | Business | Culture | Opinion | Weather"],
         footer=["More from The Daily Example",
                 "Follow us on Facebook, X and Instagram",
                 "Get The Daily Example app on iOS and Android",
                 "\u00a9 2025 The Daily Example. All rights reserved."],
         templates=["updated_gmt", "comments"]),
    dict(slug="northgate-herald", name="Northgate Herald",
         header=["Northgate Herald \u2014 news for the north since 1902",
                 "News  Politics  Money  Sport  Life  Puzzles  Subscribe"],
         footer=["Northgate Herald is part of the Pennine Media Group",
                 "Follow Northgate Herald on Facebook and Instagram",
                 "Contact us | Complaints | Terms of use | Corrections",
                 "\u00a9 2025 Northgate Herald Ltd. All rights reserved."],
         templates=["published_ampm", "min_read"]),
    dict(slug="riverside-post", name="Riverside Post",
         header=["The Riverside Post",
                 "UK \u00b7 World \u00b7 Business \u00b7 Tech \u00b7 Science \u00b7 Arts \u00b7 Travel"],
         footer=["More stories from the Riverside Post",
                 "Download the Riverside Post app: breaking news in your pocket",
                 "Riverside Post, 14 Quay Street, Bristol. Registered in England No. 04418820.",
                 "Copyright \u00a9 2025 Riverside Post Media. All rights reserved."],
         templates=["last_modified", "shares"]),
    dict(slug="metro-ledger", name="Metro Ledger",
         header=["METRO LEDGER",
                 "Menu  Search  Sign in  Latest  Markets  Companies  Tech  Sport",
                 "Trending: Budget 2025 | Transfer window | Election live"],
         footer=["Follow Metro Ledger on X, LinkedIn and Threads",
                 "About us | Careers | Advertise with us | Privacy notice",
                 "\u00a9 Metro Ledger 2025"],
         templates=["posted_ago", "comments"]),
    dict(slug="coastline-chronicle", name="Coastline Chronicle",
         header=["Coastline Chronicle \u2013 your coast, your news",
                 "Local | National | Sport | What's On | Property | Jobs"],
         footer=["More from Coastline Chronicle",
                 "Coastline Chronicle app: get alerts for your town",
                 "\u00a9 2025 Coastline Chronicle. All rights reserved."],
         templates=["date_slash", "min_read"]),
    dict(slug="valley-courier", name="Valley Courier",
         header=["Valley Courier Online",
                 "Home > News > Latest",
                 "Valley Courier: trusted since 1921"],
         footer=["Follow us on Facebook: facebook.com/valleycourier",
                 "Got a story? Email newsdesk@valleycourier.example",
                 "\u00a9 2025 Valley Courier Newspapers. All rights reserved."],
         templates=["updated_gmt", "views"]),
    dict(slug="evening-lantern", name="The Evening Lantern",
         header=["The Evening Lantern",
                 "News | Sport | Showbiz | Money | Motoring | Puzzles | Horoscopes"],
         footer=["More from The Evening Lantern",
                 "The Evening Lantern app is free on the App Store and Google Play",
                 "Follow The Evening Lantern on Instagram @eveninglantern",
                 "\u00a9 2025 The Evening Lantern. All rights reserved."],
         templates=["published_ampm", "comments"]),
    dict(slug="harbour-gazette", name="Harbour Gazette",
         header=["HARBOUR GAZETTE \u00b7 EST. 1868",
                 "Latest news \u00bb Business \u00bb Politics \u00bb Sport \u00bb Weather"],
         footer=["Harbour Gazette newsroom: 01632 960 114",
                 "More from Harbour Gazette",
                 "Harbour Gazette Ltd \u00a9 2025. All rights reserved."],
         templates=["last_modified", "posted_ago"]),
]


def render_template(kind, rng):
    """One template line of `kind` with random date/time/count digits."""
    d = rng.randint(1, 28)
    mo = rng.randrange(12)
    h = rng.randint(0, 23)
    mi = rng.randint(0, 59)
    if kind == "updated_gmt":
        return f"Updated {h:02d}:{mi:02d} GMT {d} {MONTHS[mo]} 2025"
    if kind == "published_ampm":
        return (f"Published {d} {MONTHS[mo][:3]} 2025, "
                f"{(h % 12) or 12}:{mi:02d}{'am' if h < 12 else 'pm'}")
    if kind == "last_modified":
        return (f"Last modified on {DAYS[rng.randrange(7)]} {d} {MONTHS[mo][:3]} "
                f"2025 {h:02d}.{mi:02d} GMT")
    if kind == "date_slash":
        return f"Last updated: {d:02d}/{mo + 1:02d}/2025 at {h:02d}:{mi:02d}"
    if kind == "comments":
        return f"{rng.randint(2, 4800):,} comments"
    if kind == "shares":
        return f"{rng.randint(10, 25000):,} shares"
    if kind == "views":
        return f"Viewed {rng.randint(100, 90000):,} times"
    if kind == "min_read":
        return f"{rng.randint(2, 14)} min read"
    if kind == "posted_ago":
        n = rng.randint(1, 23)
        return f"Posted {n} hour{'s' if n > 1 else ''} ago"
    raise ValueError(kind)


# Real-looking sentences that merely mention cookies, privacy, newsletters or
# advertising. Any decruft rule that deletes one of these is too greedy.
NEAR_MISSES = [
    "The bakery said sales of its cookies had doubled since it moved to the high street.",
    "Regulators fined the firm for storing tracking cookies without asking users first.",
    "Campaigners say the new privacy settings are buried too deep in the phone's menus.",
    "Her newsletter, which began as an email to twenty friends, now has 40,000 readers.",
    "Spending on television advertising fell by 4% in the first quarter, the survey found.",
    "The advertisement, which ran for only a week, drew more than 300 complaints.",
    "He said the privacy of patients must come before the convenience of administrators.",
    "Parents were urged to check the privacy settings on their children's games consoles.",
    "The company's advertising revenue rose to $2.1bn, beating analysts' forecasts.",
    "A newsletter sent to staff on Monday warned that the canteen would close in March.",
    "The judge ruled that the photographs were an invasion of the couple's privacy.",
    "Girl Guides sold more than a million boxes of cookies during the spring campaign.",
    "The watchdog said the cookie banner on the council's website was confusing and unlawful.",
    "Advertising executives gathered in Cannes for the industry's annual awards week.",
    "Subscribers to the club's newsletter were the first to hear about the new manager.",
    "Privacy groups welcomed the decision but said the law still had serious gaps.",
    "The ministry said it would click through every page of the report before responding.",
    "Shares in the advertising group fell 6% after it lost its biggest client.",
    "She spent a decade writing a weekly newsletter about allotment gardening.",
    "The browser will block third-party cookies by default from next year, the company said.",
    "Critics said the advertisement made claims about the drink's health benefits that it could not support.",
    "The singer sued the magazine for breach of privacy and won damages of \u00a385,000.",
    "Users who want to keep their data private can change the settings in the app at any time.",
    "The charity's newsletter revealed that donations had risen for the third year running.",
    "MPs called for a ban on junk food advertising before the 9pm watershed.",
    "The new phone lets users decide which apps can see their location, a move privacy experts praised.",
    "A jar of homemade cookies was among the items stolen from the village hall.",
    "The film's advertising campaign cost more than the film itself, according to the studio.",
    "The minister refused to share the details of the contract, citing commercial confidentiality.",
    "Readers can email the editor or write to the letters page with their views.",
    "The agency admitted that its privacy policy had not been updated since 2001.",
    "The election leaflet looked like a newspaper, which critics said misled voters.",
    "Fans were told to update the club app before the match to use their digital tickets.",
    "The court heard that he had subscribed to several extremist newsletters.",
    "Outdoor advertising on buses and billboards is expected to grow by 3% this year.",
    "Scrolling to the bottom of the page, she found the results she had been waiting for.",
    "The firm said cookies and other tracking tools were used only with customers' consent.",
    "The report, first published in the society's newsletter, was later picked up by national papers.",
    "He skipped the main course and went straight to the dessert, a plate of warm cookies.",
    "Privacy campaigners will take the case to the European Court of Human Rights.",
    "The band shared the video on Facebook, where it was watched two million times in a day.",
    "Back in the 1970s, the town's top employer was a biscuit factory that made cookies for export.",
]

# Messy-whitespace helpers -------------------------------------------------

NBSP = "\u00a0"
ZWSP = "\u200b"
SHY = "\u00ad"


def mess_line(line, rng, unicode_ok=True):
    """Add whitespace mess to one content line without changing its words.

    Trailing spaces/tabs, a doubled space, a leading tab or space and, when
    `unicode_ok`, an NBSP in place of a space or a zero-width space at the end.
    Whitespace folding (split + join) undoes all of it except the ZWSP, which a
    cleaner is expected to strip.
    """
    r = rng.random()
    if r < 0.3:
        line = line + rng.choice(["  ", " ", "\t", " \t "])
    elif r < 0.5:
        i = line.find(" ", rng.randint(0, max(0, len(line) - 1)))
        if i > 0:
            line = line[:i] + rng.choice(["  ", "   ", "\t"]) + line[i + 1:]
    elif r < 0.65:
        line = rng.choice(["  ", "\t", " "]) + line
    elif r < 0.8 and unicode_ok:
        i = line.find(" ", rng.randint(0, max(0, len(line) - 1)))
        if i > 0:
            line = line[:i] + NBSP + line[i + 1:]
    elif unicode_ok:
        line = line + ZWSP
    return line


def site_by_slug(slug):
    for s in SITES:
        if s["slug"] == slug:
            return s
    raise KeyError(slug)


if __name__ == "__main__":
    # Print the flat known-notice list (used to write benches/compare/notices.txt).
    rng = random.Random(0)
    for line in KNOWN_NOTICE_LINES:
        print(line)

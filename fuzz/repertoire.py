#!/usr/bin/env python3
"""Write seed inputs that hold every assigned Unicode character and the
repertoire of every legacy encoding decruft decodes, for long fuzz runs.

    python3 fuzz/repertoire.py OUT_DIR [--max-len 4096]
    python3 fuzz/plateau.py pipeline --extra OUT_DIR ... -- -max_len=4096

Why: the pipeline target's late coverage comes one edge at a time from
tables that are indexed by character (unicode-normalization's quick checks
for NFC and NFKC, the legacy decoders of encoding_rs). A mutator meets
those characters slowly, so runs kept finding an edge every minute or two
long after decruft's own code was covered. Seeding every character up front
covers those tables before the clock of `plateau.py` starts, so that what
is left to find is in decruft's logic.

Every code point of the planes in use goes in, assigned or not (the tables
may know a later Unicode version than Python), and every decomposition, so
that composition meets its pairs, each on a line of its own (the quick
check stops at a line's first character that needs normalising). Each file is a `pipeline` input (fuzz/fuzz_targets/common/mod.rs): six
option bytes, then text of at most --max-len bytes in all (libFuzzer cuts
longer seeds to -max_len). The option bytes pick the 64 KiB window (so the
whole file is one window and the idempotence check applies), the built-in
rules and repetition, and NFC or NFKC (every text is written twice, once
for each, since each form has its own tables). Unicode text is UTF-8 (and
the assigned characters again as UTF-16LE with a BOM); legacy text is written in its encoding without a
label, so that detection has to find it (`encoding_rs` names the WHATWG
encodings; Python's codecs make the bytes).

The files are generated, not committed: they are large (about 10 MB) and
follow from the Unicode version of `unicodedata2` (or Python's own).
"""

import argparse
import os
import sys

try:
    # The Unicode version of unicode-normalization's tables (18.0 for
    # 0.1.26): `pip install unicodedata2`. The standard library's may be
    # older, and then leaves out compositions added since.
    import unicodedata2 as unicodedata
except ImportError:
    import unicodedata

# Option bytes of a pipeline input: window index 4 (64 KiB), strip,
# repetition on with --repeat-min 2, NFC (0) or NFKC (1), no ASCII quotes.
HEADERS = {"nfc": bytes([4, 1, 1, 0, 0, 0]), "nfkc": bytes([4, 1, 1, 0, 1, 0])}

# Legacy encodings of the WHATWG Encoding Standard that encoding_rs decodes,
# by Python codec name.
LEGACY = [
    "cp866", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6",
    "iso8859_7", "iso8859_8", "iso8859_10", "iso8859_13", "iso8859_14",
    "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "mac_roman", "cp874",
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
    "cp1257", "cp1258", "mac_cyrillic", "gbk", "gb18030", "big5hkscs",
    "euc_jp", "iso2022_jp", "shift_jis", "euc_kr",
]

# Characters a line is made of between the repertoire's characters: spaces
# and a short word, so that text has lines of a realistic length and words
# for the judge, not one unbroken run.
WORDS_EVERY = 12
LINE_EVERY = 60


# Planes where characters are assigned or may be in a later version than
# this script's tables: the basic, supplementary, ideographic and tertiary
# ideographic planes, and the special-purpose plane (tags, variation
# selectors). Planes 15 and 16 are private use.
PLANES = [0, 1, 2, 3, 14]


def assigned():
    """Every assigned code point but surrogates, as characters."""
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.category(ch) != "Cn":
            yield ch


def every_code_point():
    """Every code point of PLANES but surrogates, assigned or not, so that
    each arm of a table indexed by character is met whatever Unicode
    version the table has."""
    for plane in PLANES:
        for cp in range(plane << 16, (plane + 1) << 16):
            if not 0xD800 <= cp <= 0xDFFF:
                yield chr(cp)


def decomposed():
    """The canonical and compatibility decompositions of every character
    that has one: composing them again is what NFC and NFKC's composition
    tables are for, and the pairs are rare in text a mutator makes."""
    for ch in assigned():
        for form in ("NFD", "NFKD"):
            parts = unicodedata.normalize(form, ch)
            if parts != ch:
                yield parts


def repertoire(codec):
    """The characters `codec` can encode, in code point order (for the
    multi-byte codecs, those of the Basic Multilingual Plane)."""
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        try:
            ch.encode(codec)
        except UnicodeEncodeError:
            continue
        yield ch


def lines_of(chars):
    """Text made of `chars` in order, with a word and line breaks between."""
    out = []
    for i, ch in enumerate(chars):
        out.append(ch)
        if i % LINE_EVERY == LINE_EVERY - 1:
            out.append("\n")
        elif i % WORDS_EVERY == WORDS_EVERY - 1:
            out.append(" the ")
    return out


def one_per_line(pieces):
    """Each piece on a line of its own. The normaliser's quick check stops
    at the first character that is not known normalised, so in a line of
    many characters those after it never reach the quick-check tables."""
    return [piece + "\n" for piece in pieces]


def chunks(pieces, encode, room):
    """Encoded texts of at most `room` bytes, cut between pieces."""
    chunk, size = [], 0
    for piece in pieces:
        n = len(encode(piece))
        if size + n > room and chunk:
            yield encode("".join(chunk))
            chunk, size = [], 0
        chunk.append(piece)
        size += n
    if chunk:
        yield encode("".join(chunk))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write the seeds to (created)")
    ap.add_argument("--max-len", type=int, default=4096,
                    help="libFuzzer's -max_len: no file is longer (default 4096)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    room = args.max_len - len(HEADERS["nfc"])
    written = 0

    def write(name, body):
        nonlocal written
        for form, header in HEADERS.items():
            with open(os.path.join(args.out, f"{name}-{form}"), "wb") as f:
                f.write(header + body)
            written += 1

    utf8 = lambda s: s.encode("utf-8", "surrogatepass")
    for i, body in enumerate(chunks(one_per_line(every_code_point()), utf8, room)):
        write(f"utf8-{i:04}", body)
    for i, body in enumerate(chunks(one_per_line(decomposed()), utf8, room)):
        write(f"decomposed-{i:04}", body)
    text = lines_of(list(assigned()))
    bom = b"\xff\xfe"
    utf16 = lambda s: s.encode("utf-16-le", "surrogatepass")
    for i, body in enumerate(chunks(text, utf16, room - len(bom))):
        write(f"utf16le-{i:04}", bom + body)
    for codec in LEGACY:
        encode = lambda s, c=codec: s.encode(c)
        pieces = lines_of(list(repertoire(codec)))
        for i, body in enumerate(chunks(pieces, encode, room)):
            write(f"{codec}-{i:04}", body)
    print(f"{written} seeds in {args.out} (Unicode {unicodedata.unidata_version})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Converts a plain-text dump into JSON Lines with the same text: one record
per paragraph group of about 4 KB, the text in "text", plus an id and a URL,
so decruft cleans the same content in both formats.

usage: to_jsonl.py IN.txt OUT.jsonl
"""
import json
import sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8", errors="replace") as f, open(dst, "w", encoding="utf-8") as out:
    buf, n = [], 0
    size = 0
    for line in f:
        buf.append(line)
        size += len(line)
        if size >= 4096 and line.strip() == "":
            out.write(json.dumps({"id": n, "url": f"https://example.test/{n}", "text": "".join(buf)}, ensure_ascii=False) + "\n")
            buf, size, n = [], 0, n + 1
    if buf:
        out.write(json.dumps({"id": n, "url": f"https://example.test/{n}", "text": "".join(buf)}, ensure_ascii=False) + "\n")

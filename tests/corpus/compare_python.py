#!/usr/bin/env python3
"""compare_python.py — compare `madoguchi parse` with Python's email package (policy=default)
over the shared corpus, field by field: subject, from, message_id, first 200 characters of text.

Usage: compare_python.py MADOGUCHI_BINARY [SHARED_DIR] [--show]
Prints agreement per field and the files that differ. Values are printed only with --show
(the corpus is public test mail, but we keep the habit of not printing mail content).
Exit status: 0, unless madoguchi crashed or printed invalid JSON on some file (1).
"""
import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys

FIELDS = ("subject", "from", "message_id", "text200")


def norm_ws(s):
    return re.sub(r"\s+", " ", s or "").strip()


def html_to_text(s):
    s = re.sub(r"(?is)<(script|style|head|title)\b.*?</\1\s*>", " ", s)
    s = re.sub(r"(?s)<!--.*?-->", " ", s)
    s = re.sub(r"(?s)<[^>]*>", " ", s)
    return html.unescape(s).replace("\xa0", " ")


def python_view(data):
    out = {}
    msg = email.message_from_bytes(data, policy=email.policy.default)
    try:
        out["subject"] = norm_ws(str(msg["subject"] or ""))
    except Exception as e:  # noqa: BLE001 - report, do not stop
        out["subject"] = "<python error: %s>" % type(e).__name__
    try:
        h = msg["from"]
        out["from"] = [[norm_ws(a.display_name), a.addr_spec] for a in h.addresses] if h else []
    except Exception as e:  # noqa: BLE001
        out["from"] = "<python error: %s>" % type(e).__name__
    try:
        mid = str(msg["message-id"] or "").strip()
        m = re.search(r"<([^>]*)>", mid)
        out["message_id"] = re.sub(r"\s+", "", m.group(1)) if m else mid
    except Exception as e:  # noqa: BLE001
        out["message_id"] = "<python error: %s>" % type(e).__name__
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        text = ""
        if body is not None:
            text = body.get_content()
            if body.get_content_type() == "text/html":
                text = html_to_text(text)
        out["text200"] = norm_ws(text)[:200]
    except Exception as e:  # noqa: BLE001
        out["text200"] = "<python error: %s>" % type(e).__name__
    return out


def madoguchi_view(binary, path):
    p = subprocess.run([binary, "parse", path], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("exit %d" % p.returncode)
    d = json.loads(p.stdout.decode("utf-8"))
    return {
        "subject": norm_ws(d["subject"]),
        "from": [[norm_ws(a["name"]), a["address"]] for a in d["from"]],
        "message_id": d["message_id"],
        "text200": norm_ws(d["text"])[:200],
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--show" in sys.argv
    if not args:
        print(__doc__)
        return 2
    binary = args[0]
    shared = args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared")
    corpus = os.path.join(shared, "corpus")
    files = []
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            files.append((cols[1], cols[7] if len(cols) > 7 else ""))
    agree = {k: 0 for k in FIELDS}
    differ = {k: [] for k in FIELDS}
    failures = []
    for rel, jp in files:
        path = os.path.join(corpus, rel)
        with open(path, "rb") as f:
            data = f.read()
        try:
            ours = madoguchi_view(binary, path)
        except Exception as e:  # noqa: BLE001
            failures.append((rel, str(e)))
            continue
        theirs = python_view(data)
        for k in FIELDS:
            if ours[k] == theirs[k]:
                agree[k] += 1
            else:
                differ[k].append((rel, jp, ours[k], theirs[k]))
    n = len(files) - len(failures)
    print("files: %d  madoguchi failures: %d" % (len(files), len(failures)))
    for rel, why in failures:
        print("  FAIL %s: %s" % (rel, why))
    for k in FIELDS:
        print("%-11s agree %3d/%d (%.1f%%)" % (k, agree[k], n, 100.0 * agree[k] / max(n, 1)))
    for k in FIELDS:
        if not differ[k]:
            continue
        print("\n%s differs in %d files:" % (k, len(differ[k])))
        for rel, jp, o, t in differ[k]:
            print("  %s%s" % (rel, " [jp]" if jp else ""))
            if show:
                print("    madoguchi: %s" % json.dumps(o, ensure_ascii=False)[:300])
                print("    python:    %s" % json.dumps(t, ensure_ascii=False)[:300])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

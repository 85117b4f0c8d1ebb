#!/usr/bin/env python3
"""compare_python.py — compare `madoguchi parse` with Python's email package (policy=default)
over the public corpus (tests/corpus/mail/), field by field: subject, from, message_id, first
200 characters of text.

Usage: compare_python.py MADOGUCHI_BINARY [CORPUS_DIR] [--show] [--golden FILE]
(CORPUS_DIR holds MANIFEST.tsv; default: mail/ beside this script)
Prints agreement per field and the files that differ. Values are printed only with --show
(the corpus is public test mail, but we keep the habit of not printing mail content).
With --golden FILE (tests/corpus/golden.json, CTest corpus/compare_python): every difference
must be one the file records with a review note, with the same values on both sides, and
every difference it records must still be there; see make_golden.py.
Exit status: 1 when madoguchi crashed or printed invalid JSON on some file, or with --golden
on any difference not reviewed or any recorded one gone; else 0.
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


def undecodable_shown(s):
    """Python's email package keeps bytes it cannot decode as lone surrogates (U+DC80-U+DCFF,
    surrogateescape); they cannot be written as UTF-8, so they are shown as the literal text
    \\xHH (a text madoguchi, whose strings are always valid UTF-8, never gives for such bytes)."""
    return re.sub("[\ud800-\udfff]", lambda m: "\\x%02x" % (ord(m.group()) & 0xFF), s)


def python_view(data):
    out = python_fields(data)
    for k, v in out.items():
        if isinstance(v, str):
            out[k] = undecodable_shown(v)
        elif isinstance(v, list):
            out[k] = [[undecodable_shown(x) for x in pair] for pair in v]
    return out


def python_fields(data):
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


def manifest(corpus):
    """(relative path, japanese_raw column) of every corpus file, in MANIFEST.tsv order."""
    files = []
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            files.append((cols[1], cols[7] if len(cols) > 7 else ""))
    return files


def golden_problems(golden_path, files, differ):
    """Differences not reviewed in the golden file, and recorded ones that no longer hold."""
    with open(golden_path, encoding="utf-8") as f:
        golden = json.load(f)["files"]
    found = {(rel, k): (o, t) for k in FIELDS for rel, _, o, t in differ[k]}
    problems = []
    for rel, _ in files:
        recorded = golden.get(rel, {}).get("python_differs", {})
        for k in FIELDS:
            note = recorded.get(k)
            now = found.get((rel, k))
            if now is None and note is None:
                continue
            if now is None:
                problems.append("%s %s: recorded as differing, but madoguchi and Python now agree" % (rel, k))
            elif note is None:
                problems.append("%s %s: differs from Python, no review note in the golden file" % (rel, k))
            elif (note.get("madoguchi"), note.get("python")) != now:
                problems.append("%s %s: differs from Python otherwise than the reviewed difference" % (rel, k))
            elif not note.get("review") or note["review"].startswith("UNREVIEWED"):
                problems.append("%s %s: the difference has no verdict yet (UNREVIEWED)" % (rel, k))
    return problems


def main():
    argv = sys.argv[1:]
    golden = None
    if "--golden" in argv:
        i = argv.index("--golden")
        golden = argv[i + 1]
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    show = "--show" in argv
    if not args:
        print(__doc__)
        return 2
    binary = args[0]
    corpus = args[1] if len(args) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "mail")
    files = manifest(corpus)
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
    problems = golden_problems(golden, files, differ) if golden else []
    if golden:
        print("\ngolden %s: %d problems" % (golden, len(problems)))
        for p in problems:
            print("  " + p)
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())

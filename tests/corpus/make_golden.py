#!/usr/bin/env python3
"""make_golden.py — write tests/corpus/golden.json, the reviewed expectations for every mail of
the public corpus (tests/corpus/mail/), from what `madoguchi parse` gives today and what Python's email package gives.

Usage: make_golden.py MADOGUCHI_BINARY [CORPUS_DIR] [--output FILE]
(CORPUS_DIR holds MANIFEST.tsv; default: mail/ beside this script)

Run it only after a reviewed change to the parser: it accepts today's output as the truth.
`git diff tests/corpus/golden.json` then shows every file whose result changed; review each
change before committing. The tests never write the file:
  - unit_parsers' "corpus golden" case (tests/unit/parsers/test_corpus_golden.cpp) fails when
    parse_mail() gives anything else for any file;
  - compare_python.py --golden (CTest corpus/compare_python) fails when Python's view differs
    from madoguchi's on a field where the file records no reviewed difference, or agrees where
    it records one.

Per file: subject, from, message_id (exact), text_head (the first 200 code points of the text,
exact), text_bytes and text_fnv1a64 (so a change beyond the head also shows), attachments
[filename, content_type, size], warnings ("code", "code!" when critical), and under
"python_differs" each compare_python.py field on which Python's email package differs:
Python's value and the review note. A note written by hand survives regeneration while both
sides' values of that field stay the same; a new or changed difference gets a note starting
with "UNREVIEWED", which compare_python.py --golden refuses until someone replaces it with
the verdict (who is right, and why).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_python  # noqa: E402  (python_view, norm_ws, FIELDS)

TEXT_HEAD = 200
UNREVIEWED = "UNREVIEWED: check which side is right and say why"


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def madoguchi_json(binary, path):
    p = subprocess.run([binary, "parse", path], capture_output=True, timeout=60, check=True)
    return json.loads(p.stdout.decode("utf-8"))


def expectation(d):
    text = d["text"]
    return {
        "subject": d["subject"],
        "from": [[a["name"], a["address"]] for a in d["from"]],
        "message_id": d["message_id"],
        "text_head": text[:TEXT_HEAD],
        "text_bytes": len(text.encode("utf-8")),
        "text_fnv1a64": fnv1a64(text.encode("utf-8")),
        "attachments": [[a["filename"], a["content_type"], a["size"]] for a in d["attachments"]],
        "warnings": [w["code"] + ("!" if w["critical"] else "") for w in d["warnings"]],
    }


def compared_view(d):
    """madoguchi's side of compare_python.py's fields (the same normalisation)."""
    n = compare_python.norm_ws
    return {
        "subject": n(d["subject"]),
        "from": [[n(a["name"]), a["address"]] for a in d["from"]],
        "message_id": d["message_id"],
        "text200": n(d["text"])[:200],
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        print(__doc__)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    output = os.path.join(here, "golden.json")
    if "--output" in sys.argv:
        output = sys.argv[sys.argv.index("--output") + 1]
        args = [a for a in args if a != output]
    binary = args[0]
    corpus = args[1] if len(args) > 1 else os.path.join(here, "mail")
    old = {}
    if os.path.exists(output):
        with open(output, encoding="utf-8") as f:
            old = json.load(f).get("files", {})
    files = {}
    unreviewed = changed = 0
    for rel, _ in compare_python.manifest(corpus):
        path = os.path.join(corpus, rel)
        d = madoguchi_json(binary, path)
        entry = expectation(d)
        ours = compared_view(d)
        with open(path, "rb") as f:
            theirs = compare_python.python_view(f.read())
        prev = old.get(rel, {})
        differs = {}
        for k in compare_python.FIELDS:
            if ours[k] == theirs[k]:
                continue
            note = prev.get("python_differs", {}).get(k, {})
            keep = note.get("python") == theirs[k] and note.get("madoguchi") == ours[k]
            review = note.get("review", UNREVIEWED) if keep else UNREVIEWED
            unreviewed += review.startswith("UNREVIEWED")
            differs[k] = {"madoguchi": ours[k], "python": theirs[k], "review": review}
        if differs:
            entry["python_differs"] = differs
        changed += prev != entry
        files[rel] = entry
    doc = {
        "about": "Reviewed expectations for every mail of tests/corpus/mail/ (its MANIFEST.tsv). Written by "
                 "tests/corpus/make_golden.py after a reviewed parser change, never by a test; read by "
                 "tests/unit/parsers/test_corpus_golden.cpp and compare_python.py --golden.",
        "files": files,
    }
    with open(output + ".tmp", "w", encoding="utf-8") as f:  # a failed run leaves the old file
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(output + ".tmp", output)
    print("%s: %d files, %d new or changed, %d differences from Python without a review note"
          % (output, len(files), changed, unreviewed))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""bench_python.py ROUNDS FILE... — the baseline: Python's email package (policy=default)
doing the same work as parse_mail(): parse, decode subject/from/message-id, the body text,
and every leaf part's payload. Prints one JSON line like bench_parse."""
import email
import email.policy
import json
import sys
import time


def work(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    n = 0
    for h in ("subject", "from", "message-id"):
        try:
            n += len(str(msg[h] or ""))
        except Exception:  # noqa: BLE001 - broken mail is part of the corpus
            pass
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            n += len(body.get_content())
    except Exception:  # noqa: BLE001
        pass
    for part in msg.walk():
        if not part.is_multipart():
            try:
                n += len(part.get_payload(decode=True) or b"")
            except Exception:  # noqa: BLE001
                pass
    return n


def main():
    rounds = int(sys.argv[1])
    mails = []
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            mails.append(f.read())
    total = sum(len(m) for m in mails)
    sink = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for m in mails:
            sink += work(m)
    secs = time.perf_counter() - start
    print(json.dumps({"mails": len(mails), "bytes": total, "rounds": rounds,
                      "seconds": round(secs, 3), "mb_per_s": round(total * rounds / 1e6 / secs, 2),
                      "mails_per_s": round(len(mails) * rounds / secs, 1), "sink": sink}))


if __name__ == "__main__":
    main()

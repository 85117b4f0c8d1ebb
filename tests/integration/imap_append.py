#!/usr/bin/env python3
"""imap_append.py HOST PORT USER PASSWORD CAFILE UNIX_TIME < MAIL

Puts one mail from stdin into INBOX with IMAP APPEND and the given INTERNALDATE, over
STARTTLS verified with CAFILE. A client independent of madoguchi (Python's imaplib), so the
integration tests can give a mail an arrival time in the past or future, as an injected clock
needs; `doveadm save` always stamps the real time.
"""
import imaplib
import ssl
import sys


def main() -> int:
    host, port, user, password, cafile, when = sys.argv[1:7]
    raw = sys.stdin.buffer.read()
    ctx = ssl.create_default_context(cafile=cafile)
    imap = imaplib.IMAP4(host, int(port))
    imap.starttls(ssl_context=ctx)
    imap.login(user, password)
    typ, data = imap.append("INBOX", None, imaplib.Time2Internaldate(int(when)), raw)
    imap.logout()
    if typ != "OK":
        print(f"APPEND failed: {data!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

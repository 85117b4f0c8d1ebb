#!/usr/bin/python3
"""gen_messages.py — write N deterministic support mails as OUTDIR/000001.eml, 000002.eml, …

  gen_messages.py OUTDIR N [--seed 1] [--start 1]

The same seed and index always give the same bytes (each mail draws from its own generator,
so --start 41 writes what a run from 1 writes as mail 41). CRLF line ends, as on the wire.
The mix, by index i (what the intake tests and bench/ingest/run.sh rely on):
  - one in three Japanese: ISO-2022-JP body, RFC 2047 B-encoded subject and display name;
    the others UTF-8 quoted-printable with a few accented words;
  - one in four (from the 5th on) a reply: "Re: [#n] …" with In-Reply-To and References to
    an earlier generated mail;
  - one in twelve an auto-reply (Auto-Submitted: auto-replied), which opens no ticket;
  - one in six multipart/mixed with a base64 attachment of 2-30 KiB (RFC 2231 UTF-8 file
    name for the Japanese ones), and every 50th with a 200 KiB one.
"""
import argparse
import base64
import datetime
import os
import quopri
import random
import urllib.parse
from email.header import Header
from email.utils import format_datetime

JST = datetime.timezone(datetime.timedelta(hours=9))
FIRST_DATE = datetime.datetime(2024, 4, 1, 9, 0, tzinfo=JST)

JAPANESE = {
    "subjects": ["ログインできません", "請求書の再発行のお願い", "パスワード再設定のメールが届きません",
                 "【至急】管理画面が表示されません", "契約更新の手続きについて", "利用者の追加方法"],
    "names": ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲"],
    "body": ("いつもお世話になっております。\r\n株式会社サンプル情報システム部の{name}です。\r\n\r\n"
             "{subject}の件でご連絡いたしました。\r\n昨日の夕方から同じ状態が続いております。\r\n"
             "お手数ですがご確認のほどよろしくお願いいたします。\r\n"),
    "auto": "自動応答: ",
}
ENGLISH = {
    "subjects": ["Cannot log in", "Please resend the invoice", "Password reset mail does not arrive",
                 "URGENT: admin console is down", "Renewing our contract", "How do I add a user?"],
    "names": ["John Smith", "Maria Garcia", "Chen Wei", "Olivia Brown"],
    "body": ("Hello support team,\r\n\r\nThis is {name} from the IT desk. About \"{subject}\": "
             "since yesterday evening we see the same error (café, naïve, résumé).\r\n\r\n"
             "Best regards,\r\n{name}\r\n"),
    "auto": "Automatic reply: ",
}


def message_id(seed, i):
    return "<gen-%d-%d@customer.example>" % (seed, i)


def encoded(text, charset):
    return Header(text, charset).encode(maxlinelen=76, linesep="\r\n")


def body_part(japanese, text):
    """(Content-Type and -Transfer-Encoding lines, encoded body bytes)."""
    if japanese:
        return (b"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit",
                text.encode("iso-2022-jp"))
    # quopri would encode a CR as "=0D": encode with LF line ends, then put CRLF back.
    qp = quopri.encodestring(text.replace("\r\n", "\n").encode("utf-8")).replace(b"\n", b"\r\n")
    return (b"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable", qp)


def make(i, seed):
    rng = random.Random("%d:%d" % (seed, i))
    japanese = i % 3 == 1
    lang = JAPANESE if japanese else ENGLISH
    charset = "iso-2022-jp" if japanese else "utf-8"
    name = lang["names"][i % len(lang["names"])]
    subject = lang["subjects"][rng.randrange(len(lang["subjects"]))]
    reply_to = rng.randrange(1, i) if i % 4 == 0 and i > 4 else None
    if reply_to:
        subject = "Re: [#%d] %s" % (reply_to, subject)
    if i % 12 == 0:
        subject = lang["auto"] + subject
    address = "user%d@customer%d.example" % (i % 17, i % 5)
    headers = [
        "From: %s <%s>" % (encoded(name, charset) if japanese else '"%s"' % name, address),
        "To: Support <support@localhost>",
        "Subject: " + (encoded(subject, charset) if not subject.isascii() else subject),
        "Date: " + format_datetime(FIRST_DATE + datetime.timedelta(minutes=5 * i)),
        "Message-ID: " + message_id(seed, i),
        "MIME-Version: 1.0",
    ]
    if reply_to:
        headers += ["In-Reply-To: " + message_id(seed, reply_to), "References: " + message_id(seed, reply_to)]
    if i % 12 == 0:
        headers += ["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"]
    head = "\r\n".join(headers).encode("ascii") + b"\r\n"
    part_head, part_body = body_part(japanese, lang["body"].format(name=name, subject=subject))

    size = 200 * 1024 if i % 50 == 0 else (rng.randrange(2048, 30 * 1024) if i % 6 == 5 else 0)
    if not size:
        return head + part_head + b"\r\n\r\n" + part_body
    if japanese:
        disposition = "attachment; filename*=UTF-8''" + urllib.parse.quote("見積書_%d.pdf" % i)
    else:
        disposition = 'attachment; filename="quote_%d.pdf"' % i
    boundary = "gen-%d-%d-boundary" % (seed, i)
    attachment = base64.encodebytes(rng.randbytes(size)).replace(b"\n", b"\r\n")
    return b"".join([
        head, b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' % boundary.encode(),
        b"--%s\r\n" % boundary.encode(), part_head, b"\r\n\r\n", part_body,
        b"\r\n--%s\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: %s\r\n\r\n" % (boundary.encode(), disposition.encode()),
        attachment, b"--%s--\r\n" % boundary.encode()])


def main():
    ap = argparse.ArgumentParser(description="deterministic generated support mails")
    ap.add_argument("outdir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for i in range(a.start, a.start + a.n):
        with open(os.path.join(a.outdir, "%06d.eml" % i), "wb") as f:
            f.write(make(i, a.seed))


if __name__ == "__main__":
    main()

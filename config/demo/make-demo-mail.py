#!/usr/bin/env python3
"""Writes the demo mails under config/demo/mail/ (run once; the output is committed).

Realistic Japanese support mails as Japanese clients write them: UTF-8 base64 (Gmail,
Outlook), ISO-2022-JP with NEC special characters (Thunderbird/Becky!, written here as
CP50220 by hand because Python's codecs cannot), an RFC 2231 attachment name, an
auto-reply and a follow-up. Dates are fixed so the demo is the same on every run.
"""
import base64
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def b64_body(text):
    data = base64.b64encode(text.replace("\n", "\r\n").encode("utf-8")).decode()
    return "\r\n".join(data[i:i + 76] for i in range(0, len(data), 76)) + "\r\n"


def ew(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode() + "?="


def cp50220(text):
    """ISO-2022-JP bytes as Windows writes them (CP50220): JIS X 0208 plus NEC row 13."""
    out = bytearray()
    mode = "ascii"
    for ch in text:
        if ord(ch) < 0x80:
            if ch == "\n":
                ch = "\r\n"
            if mode != "ascii":
                out += b"\x1b(B"
                mode = "ascii"
            out += ch.encode("ascii")
            continue
        s = ch.encode("cp932")
        if len(s) != 2:
            raise ValueError(ch)
        s1, s2 = s
        # Shift_JIS -> JIS (inverse of the formula in LIBRARY-FACTS.md)
        if s1 >= 0xE0:
            s1 -= 0x40
        j1 = (s1 - 0x70) * 2 - 1
        if s2 >= 0x9F:
            j1 += 1
            j2 = s2 - 0x7E
        else:
            j2 = s2 - 0x1F if s2 < 0x80 else s2 - 0x20
        if mode != "jis":
            out += b"\x1b$B"
            mode = "jis"
        out += bytes([j1, j2])
    if mode != "ascii":
        out += b"\x1b(B"
    return bytes(out)


def write(mailbox, name, headers, body_bytes):
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    with open(os.path.join(HERE, "mail", mailbox, name), "wb") as f:
        f.write(head.encode("ascii") + b"\r\n" + body_bytes)


def text_mail(mailbox, name, frm, to, subject, date, msgid, body, extra=()):
    headers = [("From", frm), ("To", to), ("Subject", ew(subject)), ("Date", date),
               ("Message-ID", msgid), *extra, ("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "base64")]
    write(mailbox, name, headers, b64_body(body).encode())


PL = "support@passlogic-cloud.example.jp"
LX = "support@reseller-desk.example.jp"

text_mail("passlogic", "01-admin-question.eml",
          f"{ew('佐藤 健一')} <it-admin@sakura-giken.co.jp>", PL,
          "ワンタイムパスワードのトークン再発行手順について",
          "Fri, 20 Nov 2026 10:32:05 +0900", "<20261120103205.4F2A@sakura-giken.co.jp>",
          """PassLogic サポートご担当者様

いつもお世話になっております。株式会社さくら技研の佐藤です。

利用者の一人がスマートフォンを機種変更したため、ソフトウェアトークンを
再発行したいと考えております。
管理画面の「ユーザー管理」から再発行する場合、旧端末のトークンは
自動的に無効化されるのでしょうか。
また、再発行時に利用者へ通知メールを送る設定はございますか。

お忙しいところ恐れ入りますが、ご教示のほどよろしくお願いいたします。

株式会社さくら技研 情報システム部
佐藤 健一
""")

text_mail("passlogic", "02-non-admin.eml",
          f"{ew('田中 美咲')} <m-tanaka@sakura-giken.co.jp>", PL,
          "ログインできません",
          "Fri, 20 Nov 2026 11:05:40 +0900", "<CAF3x9k2L@mail.sakura-giken.co.jp>",
          """お世話になっております。さくら技研 営業部の田中です。

今朝からPassLogicにログインできなくなりました。
パスワードは合っていると思うのですが、どうすればよいでしょうか。

田中
""")

text_mail("passlogic", "03-out-of-scope.eml",
          f"{ew('佐藤 健一')} <it-admin@sakura-giken.co.jp>", PL,
          "Microsoft Entra ID 側のSAML設定の代行のお願い",
          "Fri, 20 Nov 2026 14:10:00 +0900", "<20261120141000.77C1@sakura-giken.co.jp>",
          """PassLogic サポートご担当者様

さくら技研の佐藤です。
来月から Microsoft Entra ID と SAML 連携を予定しております。
つきましては、Entra ID 側の設定作業を代行していただくことは可能でしょうか。
弊社に詳しい者がおらず、設定代行をお願いできればと考えております。

よろしくお願いいたします。
佐藤
""")

text_mail("passlogic", "04-auto-reply.eml",
          f"{ew('山本 大輔')} <d-yamamoto@sakura-giken.co.jp>", PL,
          "不在のお知らせ",
          "Fri, 20 Nov 2026 15:00:12 +0900", "<autoreply.99812@mail.sakura-giken.co.jp>",
          """このメールは自動送信されています。
11月20日から11月27日まで出張のため不在にしております。
お急ぎの場合は情報システム部までご連絡ください。
""", extra=[("Auto-Submitted", "auto-replied"), ("Precedence", "bulk")])

text_mail("passlogic", "05-follow-up.eml",
          f"{ew('佐藤 健一')} <it-admin@sakura-giken.co.jp>", PL,
          "Re: ワンタイムパスワードのトークン再発行手順について",
          "Fri, 20 Nov 2026 16:45:30 +0900", "<20261120164530.8A01@sakura-giken.co.jp>",
          """PassLogic サポートご担当者様

さくら技研の佐藤です。先ほどの件で追加の質問です。
再発行の操作は、テナント管理者以外（部門管理者）にも許可できますでしょうか。

よろしくお願いいたします。
佐藤
""", extra=[("In-Reply-To", "<20261120103205.4F2A@sakura-giken.co.jp>"),
            ("References", "<20261120103205.4F2A@sakura-giken.co.jp>")])

# 06: attachment with an RFC 2231 Japanese file name (Thunderbird style)
log = "2026-11-20 17:58:01 ERROR auth: token verification failed (code=E1042)\n" * 40
fname = "認証エラーログ_20261120.txt"
fname_2231 = "".join(("%%%02X" % b) for b in fname.encode("utf-8"))
boundary = "------------0A1B2C3D4E5F6A7B8C9D0E1F"
body = (f"This is a multi-part message in MIME format.\r\n--{boundary}\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64_body("""PassLogic サポートご担当者様

さくら技研の佐藤です。
本日17時58分頃から、一部の利用者で認証エラー（E1042）が発生しております。
サーバーのログを添付いたしますので、原因の調査をお願いできますでしょうか。

佐藤
""") + f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        f"Content-Disposition: attachment;\r\n filename*=UTF-8''{fname_2231}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64_body(log) + f"--{boundary}--\r\n")
write("passlogic", "06-attachment.eml",
      [("From", f"{ew('佐藤 健一')} <it-admin@sakura-giken.co.jp>"), ("To", PL),
       ("Subject", ew("認証エラー（E1042）の調査依頼")),
       ("Date", "Fri, 20 Nov 2026 18:20:44 +0900"),
       ("Message-ID", "<20261120182044.1C9E@sakura-giken.co.jp>"), ("MIME-Version", "1.0"),
       ("Content-Type", f'multipart/mixed; boundary="{boundary}"')], body.encode())

text_mail("passlogic", "07-stranger.eml",
          "sales@cheap-licenses.example.com", PL,
          "【ご提案】ライセンス費用削減のご案内",
          "Fri, 20 Nov 2026 12:00:00 +0900", "<prop-20261120@cheap-licenses.example.com>",
          """ご担当者様

突然のご連絡失礼いたします。
ライセンス費用削減のご提案をさせていただきたく、ご連絡いたしました。
""")

# 08: ISO-2022-JP (CP50220: ① and ㈱), full-width contract id, after hours on Saturday
jis_subject = cp50220("【保守ID：ＬＸ－２０２５－００４２】管理コンソールの表示について")
jis_body = cp50220("""リセラーサポート窓口 御中

いつもお世話になっております。㈱みなと商事 情報システム課の鈴木です。

保守ID：ＬＸ－２０２５－００４２

LayerX の管理コンソールで、以下の点について教えてください。
① ダッシュボードの検知件数が前日分しか表示されません。
② CSV エクスポートの文字コードを Shift_JIS に変更できますか。

週明けで構いませんので、よろしくお願いいたします。

㈱みなと商事 情報システム課
鈴木 一郎
""")
write("reseller", "08-iso2022jp-after-hours.eml",
      [("From", "=?ISO-2022-JP?B?" + base64.b64encode(cp50220("鈴木 一郎")).decode()
        + "?= <joho@minato-shoji.co.jp>"),
       ("To", LX),
       ("Subject", "=?ISO-2022-JP?B?" + base64.b64encode(jis_subject).decode() + "?="),
       ("Date", "Sat, 21 Nov 2026 22:15:09 +0900"),
       ("Message-ID", "<5F3A9C21.8010605@minato-shoji.co.jp>"),
       ("User-Agent", "Mozilla/5.0 Thunderbird/115.4.1"),
       ("MIME-Version", "1.0"),
       ("Content-Type", "text/plain; charset=ISO-2022-JP"),
       ("Content-Transfer-Encoding", "7bit")], jis_body)

text_mail("reseller", "09-contract-missing.eml",
          f"{ew('鈴木 一郎')} <joho@minato-shoji.co.jp>", LX,
          "Votiro の無害化ポリシーについて",
          "Mon, 16 Nov 2026 09:40:00 +0900", "<20261116094000.31@minato-shoji.co.jp>",
          """リセラーサポート窓口 御中

みなと商事の鈴木です。
Votiro で PDF の無害化ポリシーを変更したいのですが、手順を教えてください。

鈴木
""")
print("demo mail written")

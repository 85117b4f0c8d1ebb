#!/usr/bin/python3
"""smtp_capture.py — a real SMTP server (Debian's python3-aiosmtpd) for the tests: every
message it accepts is written to DIR as <seq>.eml, the DATA bytes as received (dot-stuffing
undone, line ends as sent), and <seq>.json, its envelope:
  {"seq", "mail_from" ("<>" for a null reverse-path), "rcpt_tos", "mail_options", "tls",
   "auth_user", "helo", "peer", "size", "received_at"}.
The .json is written after the .eml and both by rename, so a reader that sees the .json sees
the whole message. Sequence numbers go on after a restart on the same DIR.

  smtp_capture.py --listen 127.0.0.1:PORT --dir DIR [--tls-cert C --tls-key K [--require-tls]]
                  [--auth USER:PASSWORD] [--forward-lmtp 127.0.0.1:PORT] [--smtputf8]

--require-tls refuses MAIL before STARTTLS; --auth refuses MAIL before AUTH PLAIN/LOGIN (after
STARTTLS when TLS is on); --forward-lmtp delivers each message into Dovecot too and answers
250 only once Dovecot took it (451 otherwise, nothing captured). Stops on SIGTERM or SIGINT.
Started by start-smtp-capture.sh, which also refuses a port already held.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import smtplib
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def host_port(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


class Capture:
    """The handler: forward if asked, then write the two files."""

    def __init__(self, directory, lmtp):
        self.directory = directory
        self.lmtp = lmtp
        os.makedirs(directory, exist_ok=True)
        taken = [int(name[:-4]) for name in os.listdir(directory)
                 if name.endswith(".eml") and name[:-4].isdigit()]
        self.last = max(taken, default=0)
        self.lock = threading.Lock()

    def next_seq(self):
        with self.lock:
            self.last += 1
            return self.last

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        if data is None:
            data = envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if self.lmtp:
            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, deliver_lmtp, self.lmtp, envelope.mail_from, envelope.rcpt_tos, data)
            except (OSError, smtplib.SMTPException, RuntimeError) as e:
                return "451 4.3.0 not delivered into Dovecot: %s" % str(e)[:200]
        seq = self.next_seq()
        auth = getattr(session, "auth_data", None)
        envelope_record = {
            "seq": seq,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "tls": session.ssl is not None,
            "auth_user": auth.login.decode("utf-8", "replace") if isinstance(auth, LoginPassword) else None,
            "helo": session.host_name,
            "peer": list(session.peer) if session.peer else None,
            "size": len(data),
            "received_at": time.time(),
        }
        stem = os.path.join(self.directory, "%06d" % seq)
        write_by_rename(stem + ".eml", data)
        write_by_rename(stem + ".json", json.dumps(envelope_record).encode())
        return "250 2.0.0 captured as %06d" % seq


def write_by_rename(path, data):
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.rename(path + ".part", path)


def deliver_lmtp(address, mail_from, rcpt_tos, data):
    with smtplib.LMTP(address[0], address[1], timeout=30) as lmtp:
        refused = lmtp.sendmail(mail_from if mail_from != "<>" else "", rcpt_tos, data)
    if refused:
        raise RuntimeError("LMTP refused %s" % sorted(refused))


def password_check(user, password):
    want = (user.encode(), password.encode())

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == want
        return AuthResult(success=ok, auth_data=auth_data if ok else None)
    return check


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True, help="127.0.0.1:PORT")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--auth", help="USER:PASSWORD")
    ap.add_argument("--forward-lmtp", help="127.0.0.1:PORT of Dovecot's LMTP")
    ap.add_argument("--smtputf8", action="store_true")
    a = ap.parse_args()

    host, port = host_port(a.listen)
    if host not in LOOPBACK:
        sys.exit("smtp_capture.py: listens on loopback only, not %s" % host)
    if a.require_tls and not a.tls_cert:
        sys.exit("smtp_capture.py: --require-tls needs --tls-cert and --tls-key")
    tls = None
    if a.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.tls_cert, a.tls_key)
    options = {"tls_context": tls, "require_starttls": a.require_tls, "enable_SMTPUTF8": a.smtputf8,
               "data_size_limit": 64 << 20, "server_hostname": "capture.localhost"}
    if a.auth:
        user, _, password = a.auth.partition(":")
        options.update(authenticator=password_check(user, password), auth_required=True,
                       auth_require_tls=tls is not None)
    lmtp = host_port(a.forward_lmtp) if a.forward_lmtp else None
    # aiosmtpd 1.4 warns about its own deprecated login_data at every AUTH: not ours to see.
    logging.getLogger("mail.log").addFilter(lambda r: "login_data" not in r.getMessage())

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller = Controller(Capture(a.dir, lmtp), hostname=host, port=port, **options)
    controller.start()
    print("smtp capture on %s:%d -> %s%s%s%s" % (
        host, port, a.dir, " STARTTLS" if tls else "", " (required)" if a.require_tls else "",
        " +LMTP %s:%d" % lmtp if lmtp else ""), flush=True)
    while not stop.wait(0.2):
        pass
    controller.stop()
    print("smtp capture stopped", flush=True)


if __name__ == "__main__":
    main()

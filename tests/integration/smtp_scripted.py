#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) that answers with scripted reply codes, for the outbox tests.

  smtp_scripted.py --listen 127.0.0.1:PORT --dir CAPTURE_DIR \
      [--data-replies "451 4.3.0 Try again later|250"] [--reject-rcpt ADDR=550 ...]
      [--refuse-mail "554 5.7.1 Relay access denied"] [--refuse-ehlo "554 …"] [--refuse-while PATH]

--data-replies: the replies to successive DATA commands, '|'-separated; "250" means accept
  (the message is captured as <seq>.eml + <seq>.json, like the kit's smtp_capture.py); the
  last entry repeats once the list is used up.
--reject-rcpt: answer RCPT TO:<ADDR> with that code (e.g. 550 "5.1.1 user unknown").
--refuse-mail REPLY: answer every MAIL FROM with REPLY (a session-level refusal: relay denied).
--refuse-ehlo REPLY: answer every EHLO and HELO with REPLY.
--refuse-while PATH: the refusals above (MAIL, EHLO, and the --reject-rcpt ones) apply only
  while PATH exists, so a test can let the same server accept again by removing the file.
--auth USER:PASS: require AUTH (without TLS, loopback tests only); a wrong password gets
  "535 5.7.8" (the kit's capture server sends no reply at all to a failed AUTH).
Every RCPT and DATA is appended to CAPTURE_DIR/../transcript.log ("RCPT <addr> 250", "DATA 451"),
and every refused MAIL or EHLO/HELO ("MAIL refused 554", "EHLO refused 554").
Stops on SIGTERM/SIGINT. Loopback only.
"""
import argparse
import json
import os
import signal
import sys
import time
import logging
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class ScriptedHandler:
    def __init__(self, outdir, data_replies, reject, refuse_mail=None, refuse_ehlo=None, refuse_while=None):
        self.outdir = outdir
        self.data_replies = data_replies
        self.reject = reject
        self.refuse_mail = refuse_mail
        self.refuse_ehlo = refuse_ehlo
        self.refuse_while = refuse_while
        self.seq = 0
        self.transcript = os.path.join(os.path.dirname(os.path.abspath(outdir)), 'transcript.log')
        os.makedirs(outdir, exist_ok=True)

    def log(self, line):
        with open(self.transcript, 'a') as f:
            f.write(line + '\n')

    def refusing(self, reply):
        return reply and (self.refuse_while is None or os.path.exists(self.refuse_while))

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.refusing(self.refuse_ehlo):
            self.log('EHLO refused %s' % self.refuse_ehlo.split(' ')[0])
            return [self.refuse_ehlo]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        if self.refusing(self.refuse_ehlo):
            self.log('HELO refused %s' % self.refuse_ehlo.split(' ')[0])
            return self.refuse_ehlo
        session.host_name = hostname
        return '250 %s' % server.hostname

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refusing(self.refuse_mail):
            self.log('MAIL refused %s' % self.refuse_mail.split(' ')[0])
            return self.refuse_mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return '250 OK'

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.reject.get(address.lower()) if self.refusing(True) else None
        self.log('RCPT %s %s' % (address, code or 250))
        if code:
            return '%d %s.1.1 <%s>: Recipient address rejected' % (code, str(code)[0], address)
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        reply = self.data_replies.pop(0) if len(self.data_replies) > 1 else self.data_replies[0]
        self.log('DATA %s' % reply.split(' ')[0])
        if not reply.startswith('250'):
            return reply if ' ' in reply else reply + ' scripted reply'
        self.seq += 1
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode('utf-8', 'surrogateescape')
        base = os.path.join(self.outdir, '%06d' % self.seq)
        meta = {'seq': self.seq, 'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                'mail_options': envelope.mail_options, 'received_at': time.time()}
        for ext, data in (('.eml', raw), ('.json', json.dumps(meta).encode())):
            with open(base + ext + '.tmp', 'wb') as f:
                f.write(data)
            os.rename(base + ext + '.tmp', base + ext)
        return '250 2.0.0 Ok: captured as %06d' % self.seq


def main():
    # AUTH without TLS is deliberate here (loopback, a test of the refusal path): keep logs clean
    warnings.filterwarnings('ignore', message='Requiring AUTH while not requiring TLS')
    logging.getLogger('mail.log').setLevel(logging.ERROR)
    ap = argparse.ArgumentParser()
    ap.add_argument('--listen', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--data-replies', default='250')
    ap.add_argument('--reject-rcpt', action='append', default=[])
    ap.add_argument('--refuse-mail')
    ap.add_argument('--refuse-ehlo')
    ap.add_argument('--refuse-while')
    ap.add_argument('--auth')
    a = ap.parse_args()
    host, port = a.listen.rsplit(':', 1)
    if host not in ('127.0.0.1', 'localhost', '::1'):
        sys.exit('refusing to listen on non-loopback address %s' % host)
    reject = {}
    for r in a.reject_rcpt:
        addr, code = r.rsplit('=', 1)
        reject[addr.lower()] = int(code)
    handler = ScriptedHandler(a.dir, a.data_replies.split('|'), reject,
                              a.refuse_mail, a.refuse_ehlo, a.refuse_while)
    kw = {}
    if a.auth:
        user, password = (x.encode() for x in a.auth.split(':', 1))

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user and auth_data.password == password)
            handler.log('AUTH %s %s' % (mechanism, 'ok' if ok else 'refused'))
            # handled=False: aiosmtpd itself answers 535 to a refusal
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
        kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    ctl = Controller(handler, hostname=host, port=int(port), server_hostname='scripted.localhost', **kw)
    ctl.start()
    print('smtp scripted listening on %s:%s' % (host, port), flush=True)
    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    while not stop['now']:
        time.sleep(0.1)
    ctl.stop()


if __name__ == '__main__':
    main()

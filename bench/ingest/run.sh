#!/usr/bin/env bash
# bench/ingest/run.sh — IMAP intake throughput and latency against the real Dovecot and SMTP
# capture server of shared/mailservers, with the physical limit measured in the same run.
#
#   bench/ingest/run.sh [BUILD_DIR]     (default: build next to the sources; builds `madoguchi`)
#   Env: COUNT=10000 (backlog), LATENCY_MAILS=100, PORT_BASE=22000, KEEP=1 (keep the files)
#
# 1. A backlog of COUNT generated mails (gen_messages.py: ISO-2022-JP, replies, auto-replies,
#    200 KiB attachments) in Dovecot. Baseline: curl alone fetching every mail by UID over one
#    STARTTLS connection on loopback (`imap://…;UID=[1-N]`, as bench-fetch.sh does). Then
#    `madoguchi run --once` over the same STARTTLS loopback: intake, parse, classify, ticket and
#    queue the acknowledgements (sink dir:, so the SMTP server's speed is not measured).
#    Prints mails/s of both and the ratio (goal: pipeline within 2x of the raw fetch).
# 2. Latency: `madoguchi run` (IDLE) with the SMTP sink; LATENCY_MAILS mails delivered one
#    at a time over LMTP; the time from the delivery's end to the acknowledgement captured by
#    the SMTP server, p50 and p99 (goal: under 2 s).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
kit="$src/../shared/mailservers"
[ -d "$kit" ] || kit=/work/shared/mailservers
COUNT=${COUNT:-10000}
LATENCY_MAILS=${LATENCY_MAILS:-100}
PORT_BASE=${PORT_BASE:-22000}
export MAILTEST_BASE=${MAILTEST_BASE:-$(mktemp -d /tmp/madoguchi-bench-ingest.XXXXXX)}
export IMAP_PORT=$((PORT_BASE + 143)) IMAPS_PORT=$((PORT_BASE + 993)) LMTP_PORT=$((PORT_BASE + 24)) SMTP_PORT=$((PORT_BASE + 25))
export MAIL_USERS="support:secret"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target madoguchi -j2 >/dev/null
build=$(cd "$build" && pwd)  # the daemon runs in the work directory below
bin="$build/madoguchi"
work="$MAILTEST_BASE/bench"
chmod 755 "$MAILTEST_BASE"  # mktemp makes 0700; Dovecot's auth user must get in
mkdir -p "$work"
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  "$kit/stop-smtp-capture.sh" >/dev/null 2>&1 || true
  "$kit/stop-dovecot.sh" >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$MAILTEST_BASE"
}
trap cleanup EXIT
"$kit/start-dovecot.sh" >"$work/dovecot.log" 2>&1
SMTP_TLS=0 SMTP_REQUIRE_TLS=0 "$kit/start-smtp-capture.sh" >"$work/smtp.log" 2>&1
now() { date +%s.%N; }

config() { # store sink idle
  cat >"$work/$1.yaml" <<YAML
store: $1
desks: $src/config/desks
tenants: $src/config/demo/tenants.yaml
templates: $src/templates
auto_replies_per_hour: 1000000
mailboxes:
  - name: main
    url: imap://127.0.0.1:$IMAP_PORT/INBOX
    user: support
    password_file: imap.pw
    ca_file: $MAILTEST_BASE/tls/cert.pem
    desk: passlogic-cloud
    first_run_cutoff: 36500d
    poll_interval: 60s
smtp:
  url: $2
  allow_plaintext: true
YAML
}
echo secret >"$work/imap.pw"
q() { sqlite3 "$work/$1/madoguchi.db" "$2"; }

echo "== backlog: $COUNT mails ($(nproc) cores, $(curl --version | head -1 | cut -d' ' -f1-2))"
RESET=1 "$kit/fill-mailbox.sh" "$COUNT" maildir | tail -1
t0=$(now)
bytes=$(curl -sS --ssl-reqd --cacert "$MAILTEST_BASE/tls/cert.pem" -u support:secret \
  "imap://127.0.0.1:$IMAP_PORT/INBOX;UID=[1-$COUNT]" | wc -c)
t1=$(now)
raw_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
config throughput "dir:$work/sent"
t0=$(now)
(cd "$work" && "$bin" run --once --config throughput.yaml >"$work/throughput.log" 2>&1)
t1=$(now)
pipe_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
msgs=$(q throughput "SELECT COUNT(*) FROM messages")
tickets=$(q throughput "SELECT COUNT(*) FROM tickets")
acks=$(q throughput "SELECT COUNT(*) FROM outbox WHERE kind IN ('acknowledgement','refusal')")
seen=$(doveadm -c "$MAILTEST_BASE/dovecot/dovecot.conf" search -u support mailbox INBOX SEEN | wc -l)
awk -v n="$COUNT" -v b="$bytes" -v r="$raw_s" -v p="$pipe_s" -v m="$msgs" -v t="$tickets" -v a="$acks" -v s="$seen" 'BEGIN{
  printf "curl alone, UID FETCH each, 1 STARTTLS conn   %6d mails %10d bytes %7.2f s %7.0f mails/s\n", n, b, r, n/r
  printf "madoguchi run --once (intake..ticket+ack)    %6d mails %10s       %7.2f s %7.0f mails/s\n", m, "", p, m/p
  printf "  tickets %d, replies queued %d, marked \\Seen on the server %d\n", t, a, s
  printf "ratio pipeline / raw fetch: %.2fx (goal <= 2x)\n", p/r }'
grep -o 'event=[a-z_]*' "$work/throughput.log" | sort | uniq -c | sort -rn | head -8 | sed 's/^/  log: /'

echo "== latency: $LATENCY_MAILS mails, arrival in Dovecot -> acknowledgement captured by SMTP"
RESET=1 "$kit/fill-mailbox.sh" 1 maildir >/dev/null
config latency "smtp://127.0.0.1:$SMTP_PORT"
(cd "$work" && exec "$bin" run --config latency.yaml >"$work/latency.log" 2>&1) &
daemon_pid=$!
for _ in $(seq 100); do grep -q imap_idle_started "$work/latency.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
/usr/bin/python3 - "$LMTP_PORT" "$MAILTEST_BASE/smtp/captured" "$LATENCY_MAILS" <<'PY'
import os, smtplib, sys, time
port, cap, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def count():
    return sum(1 for f in os.listdir(cap) if f.endswith('.eml')) if os.path.isdir(cap) else 0
lat = []
c = smtplib.LMTP('127.0.0.1', port)
for i in range(n):
    before = count()
    msg = ('From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n'
           'Subject: latency %d\r\nMessage-ID: <lat-%d-%f@sakura-giken.co.jp>\r\n'
           'Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面の操作について教えてください。\r\n' % (i, i, time.time()))
    c.sendmail('it-admin@sakura-giken.co.jp', ['support@localhost'], msg.encode())
    t0 = time.time()
    while count() <= before and time.time() - t0 < 30:
        time.sleep(0.002)
    lat.append(time.time() - t0)
c.quit()
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print('arrival -> ack at SMTP server: n=%d p50 %.0f ms  p99 %.0f ms  max %.0f ms (goal < 2000 ms)' %
      (len(lat), p(0.5) * 1000, p(0.99) * 1000, lat[-1] * 1000))
PY
echo "  idle wake-ups logged: $(grep -c imap_idle_woke "$work/latency.log")"

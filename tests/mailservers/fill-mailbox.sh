#!/usr/bin/env bash
# fill-mailbox.sh N [maildir] — put N mails into the INBOX of the kit's Dovecot (started by
# start-dovecot.sh for this MAILTEST_BASE), fast: the files are written straight into the
# user's Maildir/new, bytes exactly as given, then Dovecot is asked for the mailbox status,
# which makes it take them in and give them UIDs in file order. Prints one summary line last.
#
# Environment (besides kit.sh's):
#   SOURCE_DIR  the mails to put in, cycled to reach N: the files a MANIFEST.tsv there lists
#               (a corpus such as tests/corpus/mail), else every file in it; default: N mails
#               of gen_messages.py (FILL_SEED, default 1)
#   FILL_USER   the Dovecot user (default: the first of MAIL_USERS)
#   RESET=1     delete the user's Maildir first, so the mailbox starts empty with a new
#               UIDVALIDITY and its first UID is 1
# The only delivery method is "maildir" (the argument is accepted for clarity); for real
# delivery over LMTP or SMTP, send to LMTP_PORT, or to the capture server started with
# SMTP_FORWARD_LMTP=1.
set -euo pipefail
. "$(dirname "$0")/kit.sh"

count=${1:?usage: fill-mailbox.sh N [maildir]}
[ "${2:-maildir}" = maildir ] || kit_die "unknown method '$2' (only maildir)"
user=${FILL_USER:-$DEFAULT_USER}
kit_live_pid "$DOVECOT_PIDFILE" "$DOVECOT_CONF" >/dev/null ||
  kit_die "no Dovecot runs for $MAILTEST_BASE (start-dovecot.sh first)"
doveadm_() { doveadm -c "$DOVECOT_CONF" "$@"; }

maildir=$MAIL_ROOT/$user/Maildir
if [ "${RESET:-0}" = 1 ]; then rm -rf "$maildir"; fi
doveadm_ mailbox status -u "$user" messages INBOX >/dev/null  # Dovecot makes the Maildir, owned right

stage=$(mktemp -d "$MAILTEST_BASE/fill.XXXXXX")
trap 'rm -rf "$stage"' EXIT
if [ -n "${SOURCE_DIR:-}" ]; then
  if [ -f "$SOURCE_DIR/MANIFEST.tsv" ]; then
    awk -F'\t' -v dir="$SOURCE_DIR" 'NR > 1 { print dir "/" $2 }' "$SOURCE_DIR/MANIFEST.tsv" >"$stage/list"
  else
    find "$SOURCE_DIR" -type f | sort >"$stage/list"
  fi
  [ -s "$stage/list" ] || kit_die "no mails in $SOURCE_DIR"
else
  "$KIT_PYTHON" "$KIT_DIR/gen_messages.py" "$stage/generated" "$count" --seed "${FILL_SEED:-1}"
  find "$stage/generated" -type f | sort >"$stage/list"
fi

started=$(date +%s.%N)
"$KIT_PYTHON" - "$stage/list" "$count" "$maildir" "$(id -u "$(kit_mail_owner)")" "$(id -g "$(kit_mail_owner)")" <<'PY'
import os, socket, sys, time
listing, count, maildir, uid, gid = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
with open(listing) as f:
    sources = [line.rstrip("\n") for line in f if line.strip()]
host = socket.gethostname().replace("/", "_").replace(":", "_")
stamp, pid = int(time.time()), os.getpid()
for n in range(count):
    with open(sources[n % len(sources)], "rb") as f:
        data = f.read()
    # Maildir names sort in delivery order, so Dovecot's UIDs follow it; S= is the file size.
    name = "%d.M%07dP%d.%s,S=%d" % (stamp, n, pid, host, len(data))
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
    if os.geteuid() == 0:
        os.chown(tmp, uid, gid)
    os.rename(tmp, os.path.join(maildir, "new", name))
PY
written=$(date +%s.%N)
status=$(doveadm_ mailbox status -u "$user" 'messages uidnext uidvalidity' INBOX)
synced=$(date +%s.%N)
awk -v n="$count" -v u="$user" -v a="$started" -v b="$written" -v c="$synced" -v s="$status" 'BEGIN {
  printf "filled %d mails into %s INBOX in %.2f s (+%.2f s until Dovecot had them) = %.0f mails/s; now %s\n",
         n, u, b - a, c - b, n / (c - a), s }'

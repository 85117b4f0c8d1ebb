#!/usr/bin/env bash
# start-dovecot.sh — start a private Dovecot on 127.0.0.1 for the tests and benchmarks:
# IMAP with STARTTLS on IMAP_PORT, IMAPS on IMAPS_PORT, LMTP on LMTP_PORT, the users of
# MAIL_USERS in a passwd-file, Maildir under $MAILTEST_BASE/mail/<user>/Maildir. Its
# configuration, state, logs and certificate live under $MAILTEST_BASE; /etc/dovecot and the
# system's instance are never used. Settings: kit.sh. Exits 0 when this base's Dovecot
# already runs; 1 when a port is held by another process or Dovecot does not come up.
#
#   MAILTEST_BASE=/tmp/x IMAP_PORT=20143 IMAPS_PORT=20993 LMTP_PORT=20024 ./start-dovecot.sh
set -euo pipefail
. "$(dirname "$0")/kit.sh"

for program in dovecot doveadm openssl; do
  command -v "$program" >/dev/null || kit_die "$program is missing (scripts/install-deps.sh installs it)"
done
if [ ! -x /usr/lib/dovecot/imap ] || [ ! -x /usr/lib/dovecot/lmtp ]; then
  kit_die "dovecot-imapd or dovecot-lmtpd is missing (scripts/install-deps.sh installs them)"
fi
if [ -n "$SIEVE_VACATION_USERS" ] && [ ! -e /usr/lib/dovecot/modules/lib90_sieve_plugin.so ]; then
  kit_die "dovecot-sieve is missing (scripts/install-deps.sh installs it); SIEVE_VACATION_USERS needs it"
fi
case "$DOVECOT_SSL" in yes | required) ;; *) kit_die "DOVECOT_SSL must be yes or required" ;; esac

if pid=$(kit_live_pid "$DOVECOT_PIDFILE" "$DOVECOT_CONF"); then
  echo "dovecot already running: pid $pid, conf $DOVECOT_CONF"
  exit 0
fi
kit_require_free_ports "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT"

owner=$(kit_mail_owner)
mail_uid=$(id -u "$owner")
mail_gid=$(id -g "$owner")
if [ "$(id -u)" = 0 ]; then
  # Dovecot's usual privilege separation, with the users Debian's package creates.
  if ! getent passwd dovecot >/dev/null || ! getent passwd dovenull >/dev/null; then
    kit_die "the dovecot and dovenull users are missing (is dovecot-core installed?)"
  fi
  internal_user=dovecot login_user=dovenull
else
  # Without root every Dovecot process runs as us, without chroot.
  internal_user=$(id -un) login_user=$(id -un)
fi

mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/log" "$MAIL_ROOT"
kit_make_certificate

# passwd-file lines "user:{PLAIN}password::::::". Tests rewrite this file in place (a
# rotated password) and Dovecot rereads it when its mtime changes.
users=$DOVECOT_DIR/users
: >"$users"
for pair in $MAIL_USERS; do
  name=${pair%%:*}
  printf '%s:{PLAIN}%s::::::\n' "$name" "${pair#*:}" >>"$users"
  mkdir -p "$MAIL_ROOT/$name"
done
chmod 640 "$users"
if [ "$(id -u)" = 0 ]; then
  chgrp dovecot "$users"  # read by the auth process, which runs as dovecot
  chown -R "$mail_uid:$mail_gid" "$MAIL_ROOT"
fi

plaintext_refused=no
[ "$DOVECOT_SSL" = required ] && plaintext_refused=yes
{
  cat <<EOF
# Written by tests/mailservers/start-dovecot.sh for one test instance; rewritten at each start.
instance_name = madoguchi-test-$IMAP_PORT
protocols = imap lmtp
listen = $KIT_HOST
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/log/dovecot.log
info_log_path = $DOVECOT_DIR/log/dovecot.info.log
hostname = localhost
postmaster_address = postmaster@localhost

default_internal_user = $internal_user
default_internal_group = $(id -gn "$internal_user")
default_login_user = $login_user
first_valid_uid = $mail_uid
first_valid_gid = $mail_gid

# TLS with the kit's self-signed certificate. DOVECOT_SSL=required refuses LOGIN and
# AUTHENTICATE before STARTTLS; Dovecot counts a client whose IP is the server's as secure,
# so a test of that refusal connects from another loopback address (127.0.0.2).
ssl = $DOVECOT_SSL
ssl_cert = <$TLS_DIR/cert.pem
ssl_key = <$TLS_DIR/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = $plaintext_refused

# Tests replace the auth_mechanisms line and reload (XOAUTH2, OAUTHBEARER: Dovecot checks a
# bearer token through the passdb like a password). %Ln: "Support@localhost" at LMTP and
# "support" at IMAP LOGIN are one user.
auth_mechanisms = plain login
auth_username_format = %Ln
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$MAIL_ROOT/%u
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
# Test data: speed over durability.
mail_fsync = never
mail_max_userip_connections = 200
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no

service imap-login {
  chroot =
  inet_listener imap {
    address = $KIT_HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $KIT_HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $KIT_HOST
    port = $LMTP_PORT
  }
}
service anvil {
  chroot =
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
EOF
  if [ -n "$SIEVE_VACATION_USERS" ]; then
    cat <<EOF
# SIEVE_VACATION_USERS: LMTP runs each user's ~/.dovecot.sieve (a vacation for those users)
# and submits what it sends to the capture server, as a real autoresponder on a real host.
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
submission_host = $KIT_HOST:$SMTP_PORT
EOF
  fi
  if [ -n "$IMAP_CAPABILITY" ]; then
    echo "# IMAP_CAPABILITY: what this server advertises instead of Dovecot's own list"
    echo "imap_capability = $IMAP_CAPABILITY"
  fi
} >"$DOVECOT_CONF"

# The vacation: the default subject ("Auto: " and the original's), at most one answer per
# sender in :days (Pigeonhole's minimum is one day), none to mail that is itself automatic
# (Auto-Submitted, Precedence, list headers, a null sender): RFC 5230.
for name in $SIEVE_VACATION_USERS; do
  mkdir -p "$MAIL_ROOT/$name"
  cat >"$MAIL_ROOT/$name/.dovecot.sieve" <<'EOF'
require ["vacation"];
vacation :days 1 "ただいま不在にしております。12月7日以降に順次ご返信いたします。";
EOF
  if [ "$(id -u)" = 0 ]; then chown -R "$mail_uid:$mail_gid" "$MAIL_ROOT/$name"; fi
done

rm -f "$DOVECOT_PIDFILE"  # left by a killed instance: Dovecot would refuse to start
dovecot -c "$DOVECOT_CONF" || kit_die "dovecot did not start: $(tail -5 "$DOVECOT_DIR/log/dovecot.log" 2>/dev/null)"
tenths=0
while [ ! -s "$DOVECOT_PIDFILE" ] && [ "$tenths" -lt 50 ]; do sleep 0.1; tenths=$((tenths + 1)); done
pid=$(cat "$DOVECOT_PIDFILE" 2>/dev/null) || kit_die "dovecot wrote no $DOVECOT_PIDFILE"
for port in "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT"; do
  kit_wait_listening "$port" "$pid" 10 ||
    kit_die "dovecot (pid $pid) does not listen on $KIT_HOST:$port; $DOVECOT_DIR/log/dovecot.log:
$(tail -20 "$DOVECOT_DIR/log/dovecot.log" 2>/dev/null)"
done
echo "dovecot running: pid $pid; imap $KIT_HOST:$IMAP_PORT (STARTTLS), imaps $IMAPS_PORT, lmtp $LMTP_PORT"
echo "  users $MAIL_USERS; mail $MAIL_ROOT/<user>/Maildir; CA $TLS_DIR/cert.pem"
echo "  doveadm -c $DOVECOT_CONF ..."

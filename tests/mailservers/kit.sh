# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# kit.sh — settings and helpers of the mail-server test kit, sourced by its scripts (never
# run). Every setting comes from the environment, with the defaults below, so that the C++
# fixture (tests/integration/mail_servers.cpp) and the benchmarks can run several private
# instances side by side, each under its own MAILTEST_BASE and on its own ports.

MAILTEST_BASE=${MAILTEST_BASE:-/tmp/madoguchi-mailtest}
IMAP_PORT=${IMAP_PORT:-10143}    # IMAP, STARTTLS offered (or required, DOVECOT_SSL=required)
IMAPS_PORT=${IMAPS_PORT:-10993}  # IMAP over TLS from the first byte
LMTP_PORT=${LMTP_PORT:-10024}    # Dovecot's LMTP: delivery into the mailboxes
SMTP_PORT=${SMTP_PORT:-10025}    # the SMTP capture server
MAIL_USERS=${MAIL_USERS:-support:secret}  # "user:password ...", the first is the default user
DOVECOT_SSL=${DOVECOT_SSL:-yes}  # yes | required (no LOGIN before STARTTLS)
IMAP_CAPABILITY=${IMAP_CAPABILITY:-}  # when set, what IMAP advertises instead of Dovecot's list
# Users (of MAIL_USERS) whose mail, delivered over LMTP, is answered by a Sieve `vacation`
# (Debian's dovecot-sieve, Pigeonhole); the answers are submitted to SMTP_PORT.
SIEVE_VACATION_USERS=${SIEVE_VACATION_USERS:-}
# Debian's interpreter, which has python3-aiosmtpd (a pyenv python on PATH would not).
KIT_PYTHON=${KIT_PYTHON:-/usr/bin/python3}

readonly KIT_HOST=127.0.0.1  # loopback only: nothing of the kit is ever reachable from outside
KIT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOVECOT_DIR=$MAILTEST_BASE/dovecot
DOVECOT_CONF=$DOVECOT_DIR/dovecot.conf
DOVECOT_PIDFILE=$DOVECOT_DIR/run/master.pid
MAIL_ROOT=$MAILTEST_BASE/mail  # $MAIL_ROOT/<user>/Maildir
TLS_DIR=$MAILTEST_BASE/tls     # cert.pem (the CA clients verify with) and key.pem
SMTP_DIR=$MAILTEST_BASE/smtp
SMTP_CAPTURE_DIR=$SMTP_DIR/captured
SMTP_PIDFILE=$SMTP_DIR/smtp-capture.pid
DEFAULT_USER=${MAIL_USERS%%:*}

kit_die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Whether something accepts connections on 127.0.0.1:PORT.
kit_port_open() {
  (exec 3<>"/dev/tcp/$KIT_HOST/$1") 2>/dev/null
}

# Refuses (exit 1) when any of the given ports is already held by another process: the kit
# never shares a port, so a test never talks to a server it did not start.
kit_require_free_ports() {
  local port
  for port in "$@"; do
    if kit_port_open "$port"; then
      kit_die "port $KIT_HOST:$port is already held by another process"
    fi
  done
}

# Waits up to SECONDS for PORT to accept connections while process PID lives.
kit_wait_listening() {
  local port=$1 pid=$2 seconds=$3 tenths=0
  while [ "$tenths" -lt $((seconds * 10)) ]; do
    kit_port_open "$port" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
    tenths=$((tenths + 1))
  done
  return 1
}

# The pid in FILE when that process is alive and its command line contains MARK (a pid file
# left by a crash may name a pid that now belongs to someone else).
kit_live_pid() {
  local file=$1 mark=$2 pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
  echo "$pid"
}

# Sends TERM to PID, then KILL if it has not gone after 10 s.
kit_stop_pid() {
  local pid=$1 tenths=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ "$tenths" -lt 100 ]; do
    sleep 0.1
    tenths=$((tenths + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$(basename "$0"): pid $pid still there after 10 s: KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# The self-signed certificate of the kit's servers (CN=localhost, SAN 127.0.0.1), made when
# the base has none; kept across restarts so that clients holding the CA path still verify.
kit_make_certificate() {
  [ -s "$TLS_DIR/cert.pem" ] && [ -s "$TLS_DIR/key.pem" ] && return 0
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>"$TLS_DIR/openssl.log" ||
    kit_die "openssl could not make the certificate: $(cat "$TLS_DIR/openssl.log")"
  chmod 600 "$TLS_DIR/key.pem"
}

# The owner of the mail files: Debian's stock `mail` user when run as root (Dovecot refuses
# to give mail to uid 0), else the user running the kit (Dovecot then runs without root).
kit_mail_owner() {
  if [ "$(id -u)" = 0 ]; then echo mail; else id -un; fi
}

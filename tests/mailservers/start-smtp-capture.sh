#!/usr/bin/env bash
# start-smtp-capture.sh — start smtp_capture.py on 127.0.0.1:SMTP_PORT, capturing into
# $MAILTEST_BASE/smtp/captured (<seq>.eml + <seq>.json). Exits 0 when this base's server
# already runs; 1 when the port is held by another process or the server does not come up.
# Options (environment, off by default):
#   SMTP_TLS=1           offer STARTTLS with the kit's certificate ($MAILTEST_BASE/tls)
#   SMTP_REQUIRE_TLS=1   refuse MAIL before STARTTLS (turns SMTP_TLS on)
#   SMTP_AUTH=user:pass  refuse MAIL before AUTH PLAIN/LOGIN (after STARTTLS when TLS is on)
#   SMTP_FORWARD_LMTP=1  deliver each message into the kit's Dovecot too (LMTP_PORT); the
#                        recipients must then be Dovecot users, e.g. support@localhost
#   SMTP_UTF8=1          offer SMTPUTF8
set -euo pipefail
. "$(dirname "$0")/kit.sh"

"$KIT_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
  kit_die "$KIT_PYTHON has no aiosmtpd (scripts/install-deps.sh installs python3-aiosmtpd)"
if pid=$(kit_live_pid "$SMTP_PIDFILE" "--dir $SMTP_CAPTURE_DIR"); then
  kit_live_pid "$SMTP_PIDFILE" "--listen $KIT_HOST:$SMTP_PORT " >/dev/null ||
    kit_die "this base's capture server (pid $pid) listens on another port than $SMTP_PORT"
  echo "smtp capture already running: pid $pid, $KIT_HOST:$SMTP_PORT -> $SMTP_CAPTURE_DIR"
  exit 0
fi
kit_require_free_ports "$SMTP_PORT"

args=(--listen "$KIT_HOST:$SMTP_PORT" --dir "$SMTP_CAPTURE_DIR")
if [ "${SMTP_TLS:-0}" = 1 ] || [ "${SMTP_REQUIRE_TLS:-0}" = 1 ]; then
  kit_make_certificate
  args+=(--tls-cert "$TLS_DIR/cert.pem" --tls-key "$TLS_DIR/key.pem")
  if [ "${SMTP_REQUIRE_TLS:-0}" = 1 ]; then args+=(--require-tls); fi
fi
if [ -n "${SMTP_AUTH:-}" ]; then args+=(--auth "$SMTP_AUTH"); fi
if [ "${SMTP_FORWARD_LMTP:-0}" = 1 ]; then args+=(--forward-lmtp "$KIT_HOST:$LMTP_PORT"); fi
if [ "${SMTP_UTF8:-0}" = 1 ]; then args+=(--smtputf8); fi

mkdir -p "$SMTP_CAPTURE_DIR"
log=$SMTP_DIR/smtp-capture.log
# Its own session, so that the caller's terminal or process group never signals it.
setsid "$KIT_PYTHON" "$KIT_DIR/smtp_capture.py" "${args[@]}" >>"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$SMTP_PIDFILE"
kit_wait_listening "$SMTP_PORT" "$pid" 10 || {
  kill "$pid" 2>/dev/null || true
  rm -f "$SMTP_PIDFILE"
  kit_die "smtp_capture.py did not listen on $KIT_HOST:$SMTP_PORT; $log:
$(tail -20 "$log")"
}
echo "smtp capture running: pid $pid; $KIT_HOST:$SMTP_PORT -> $SMTP_CAPTURE_DIR ${args[*]:4}"

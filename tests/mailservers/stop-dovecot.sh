#!/usr/bin/env bash
# stop-dovecot.sh — stop the Dovecot that start-dovecot.sh started for this MAILTEST_BASE.
# Signals only the pid of that instance's own master.pid, and only when that process runs
# this base's configuration. Exits 0 when nothing runs. CLEAN=1 also deletes the mailboxes.
set -euo pipefail
. "$(dirname "$0")/kit.sh"

if pid=$(kit_live_pid "$DOVECOT_PIDFILE" "$DOVECOT_CONF"); then
  kit_stop_pid "$pid"
  echo "dovecot stopped: pid $pid"
else
  echo "dovecot not running for $MAILTEST_BASE"
fi
rm -f "$DOVECOT_PIDFILE"
if [ "${CLEAN:-0}" = 1 ]; then
  rm -rf "$MAIL_ROOT"
  echo "removed $MAIL_ROOT"
fi

#!/usr/bin/env bash
# stop-smtp-capture.sh — stop the capture server start-smtp-capture.sh started for this
# MAILTEST_BASE (only the pid of its own pid file, and only when that is smtp_capture.py).
# Exits 0 when nothing runs. CLEAN=1 also deletes the captured messages.
set -euo pipefail
. "$(dirname "$0")/kit.sh"

if pid=$(kit_live_pid "$SMTP_PIDFILE" "--dir $SMTP_CAPTURE_DIR"); then
  kit_stop_pid "$pid"
  echo "smtp capture stopped: pid $pid; $(find "$SMTP_CAPTURE_DIR" -name '*.eml' 2>/dev/null | wc -l) message(s) in $SMTP_CAPTURE_DIR"
else
  echo "smtp capture not running for $MAILTEST_BASE"
fi
rm -f "$SMTP_PIDFILE"
if [ "${CLEAN:-0}" = 1 ]; then
  rm -rf "$SMTP_CAPTURE_DIR"
  echo "removed $SMTP_CAPTURE_DIR"
fi

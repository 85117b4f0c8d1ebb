#!/usr/bin/env bash
# tests/faults/disk_full.sh MADOGUCHI — the store's disk fills up (issue 14): a real file system
# (a 4 MiB tmpfs) really full, the real binary on a Maildir.
#   1. headroom for SQLite but not for the mail: the spool write fails with ENOSPC →
#      `store_full`, nothing stored, the mail is not marked (stays in new/), exit 0;
#   2. not a byte left: whether SQLite can still open the store (its -shm/-wal files may be
#      there) or not (exit 1), `store_full` is logged and nothing is marked;
#   3. space back: the next pass stores it, tickets it once, marks it.
# Exits 77 (CTest: skipped, with the reason) where this machine does not let us mount a tmpfs.
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/madoguchi-diskfull.XXXXXX)
mkdir -p "$work/fs" "$work/Maildir/new" "$work/Maildir/cur" "$work/Maildir/tmp"
if ! mount -t tmpfs -o size=4m tmpfs "$work/fs" 2>"$work/mount.err"; then
  echo "not run: cannot mount a tmpfs here ($(cat "$work/mount.err")); needs root with CAP_SYS_ADMIN"
  rm -rf "$work"
  exit 77
fi
trap 'umount "$work/fs" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cat > madoguchi.yaml <<YAML
store: fs/store
desks: $src/config/desks
tenants: $src/config/demo/tenants.yaml
templates: $src/templates
mailboxes:
  - name: main
    url: maildir:Maildir
    desk: passlogic-cloud
smtp:
  url: dir:sent
YAML
fail() { echo "FAIL: $*"; echo "--- log"; cat run.log 2>/dev/null; exit 1; }
mail() { # name subject bytes-of-body
  python3 - "$1" "$2" "$3" <<'PY'
import sys
name, subject, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f"Maildir/new/{name}", "w") as f:
    f.write("From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{name}@sakura-giken.co.jp>\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面について\r\n" + "x" * size + "\r\n")
PY
}
tickets() { python3 -c "import sqlite3,sys; print(sqlite3.connect('file:fs/store/madoguchi.db?mode=ro', uri=True).execute('SELECT COUNT(*) FROM tickets').fetchone()[0])"; }
run_once() { "$bin" run --once --config madoguchi.yaml >run.log 2>&1; }

mail first "一通目" 10
run_once || fail "first run"
[ "$(tickets)" = 1 ] || fail "the first mail is not ticketed"

# 1. 200 KiB left, a 300 KiB mail.
dd if=/dev/zero of=fs/filler bs=64k 2>/dev/null || true
truncate -s -200k fs/filler
mail big "大きい" 300000
run_once || fail "a full disk during intake ended the run with an error"
grep -q 'event=store_full' run.log || fail "no store_full event"
[ -f Maildir/new/big ] || fail "the mail was marked (moved out of new/) although it was not stored"
[ "$(tickets)" = 1 ] || fail "a ticket was opened for a mail not stored"
! grep -q 'event=message_failed' run.log || fail "a message was marked failed"

# 2. Nothing left at all.
dd if=/dev/zero of=fs/filler2 bs=4k 2>/dev/null || true
run_once || echo "  (the store could not be opened: exit 1)"
grep -q 'event=store_full' run.log || fail "no store_full event with no space left"
[ -f Maildir/new/big ] || fail "the mail was marked with the store unopened"

# 3. Space is back.
rm -f fs/filler fs/filler2
run_once || fail "the run after space came back"
[ ! -f Maildir/new/big ] || fail "the mail is still unmarked after space came back"
[ "$(tickets)" = 2 ] || fail "expected 2 tickets, got $(tickets)"
run_once || fail "the run after that"
[ "$(tickets)" = 2 ] || fail "the mail was ticketed twice"
echo "ok: store_full stops intake without loss; the next pass with space stores it once"

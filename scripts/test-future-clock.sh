#!/usr/bin/env bash
# test-future-clock.sh — runs a build's CTest suite with the clock moved years ahead, to show
# that no test depends on the day it runs (a contract that ends, a certificate, a cutoff).
#
#   scripts/test-future-clock.sh [BUILD_DIR] [OFFSET] [ctest arguments...]
#   scripts/test-future-clock.sh build +5y -L integration
#
# OFFSET is libfaketime's relative form (+5y, +1800d; default +5y): one offset for every
# process, so their clocks agree with each other. What the faked clock reaches, and what not:
# - it reaches every process started under ctest that loads libfaketime through LD_PRELOAD:
#   the test executables, the madoguchi binary they start, the kit's Python servers,
#   openssl (the kit's certificate is issued at the faked time), doveadm;
# - it does not reach Dovecot's own imap/auth processes (Dovecot clears its environment,
#   LD_PRELOAD with it), nor the times the kernel writes on files. A Maildir file's mtime is
#   Dovecot's INTERNALDATE, the arrival time identity is decided at, so the test fixture
#   stamps the arrival of the mail it puts into Dovecot with its own clock
#   (tests/integration/mail_servers.h, MailServers::stamp_arrivals), as a machine whose
#   clock had really moved would have.
# - file times read back are the times written (NO_FAKE_STAT): libfaketime would otherwise
#   shift what stat() returns but not what utime() sets, so a Maildir file a test dates to
#   2026-11-20 would read as five years later.
set -euo pipefail

build="${1:-build}"
offset="${2:-+5y}"
shift $(( $# < 2 ? $# : 2 ))

if ! command -v faketime >/dev/null; then
  echo "test-future-clock: faketime is missing (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
case "$offset" in
  [+-][0-9]*) ;;
  *) echo "test-future-clock: OFFSET must be relative, e.g. +5y (got '$offset')" >&2; exit 2 ;;
esac

# The faked clock must really be ahead, in a child of a child as the tests' servers are.
real_year="$(date -u +%Y)"
faked="$(faketime -f "$offset" bash -c 'date -u +%Y-%m-%dT%H:%M:%SZ')"
if [ "${faked%%-*}" -le "$real_year" ]; then
  echo "test-future-clock: the faked clock ($faked) is not ahead of $real_year" >&2
  exit 2
fi
echo "test-future-clock: real clock $(date -u +%Y-%m-%dT%H:%M:%SZ), faked clock $faked ($offset)"

cd "$build"
export NO_FAKE_STAT=1
exec faketime -f "$offset" ctest --output-on-failure -j2 "$@"

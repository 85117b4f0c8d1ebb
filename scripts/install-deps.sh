#!/usr/bin/env bash
# install-deps.sh — install every Debian 12 package madoguchi's build, demo and tests need.
# Idempotent and non-interactive: packages already present are not touched, so a second
# run costs one dpkg query. Runs apt-get through sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libcurl4-openssl-dev curl libssl-dev
  libmimetic-dev
  libboost-dev
  libyaml-cpp-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev
  doctest-dev
  libre2-dev
  libutf8proc-dev
  libkainjow-mustache-dev
  libcli11-dev nlohmann-json3-dev
  libsystemd-dev
  clang libclang-rt-14-dev
  python3 systemd
  # the real mail servers of the test kit, tests/mailservers/ (integration and system tests)
  dovecot-imapd dovecot-lmtpd dovecot-sieve python3-aiosmtpd openssl
  # a clock moved years ahead for the whole suite (scripts/test-future-clock.sh)
  faketime
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts the system dovecot on install; the tests run their own private instance
# on other ports, so the system one is harmless, but do not leave it listening on 143/993.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then
  $SUDO systemctl stop dovecot || true
  $SUDO systemctl disable dovecot >/dev/null 2>&1 || true
fi

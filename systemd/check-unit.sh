#!/usr/bin/env bash
# check-unit.sh — CTest entry: the unit parses, and `systemd-analyze security` rates its
# sandbox at or below the threshold (default 2.0; a well-hardened notify unit scores ~1.2).
set -euo pipefail
unit="$(dirname "$0")/madoguchi.service"
threshold="${1:-2.0}"
out=$(systemd-analyze security --offline=true "$unit" 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for madoguchi.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  printf '%s\n' "$out" >&2
  echo "check-unit: could not read the exposure level" >&2
  exit 1
fi
echo "systemd-analyze security: exposure $score (threshold $threshold)"
awk -v s="$score" -v t="$threshold" 'BEGIN { exit !(s <= t) }'

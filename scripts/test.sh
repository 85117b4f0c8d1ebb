#!/usr/bin/env bash
# test.sh — the README's second command (and exactly what .ci/run calls): install what is
# needed, build, run every test (unit, integration against the real Dovecot and SMTP
# capture server, system tests of the real binary) with CTest, then once more with the clock
# five years ahead (no test may depend on the day it runs), then the same tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer, then a short libFuzzer run of the
# parser when its script is present.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

./scripts/install-deps.sh

echo "== build (RelWithDebInfo) and all tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== all tests again with the clock five years ahead (libfaketime)"
./scripts/test-future-clock.sh build +5y -j"$jobs"

echo "== build with ASan+UBSan and all tests again"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMADOGUCHI_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs")

if [ -x tests/fuzz/run-fuzz.sh ]; then
  echo "== parser fuzzing, short run"
  tests/fuzz/run-fuzz.sh "${MADOGUCHI_FUZZ_SECONDS:-60}"
fi
echo "== all tests passed"

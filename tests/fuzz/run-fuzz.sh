#!/bin/sh
# run-fuzz.sh SECONDS [BUILD_DIR] — build the parser fuzzer with clang, ASan and UBSan in a
# separate build directory and run it for SECONDS over a corpus seeded from the shared mail
# corpus. Exits non-zero when the fuzzer finds a crash, a leak or undefined behaviour (the
# reproducer is left in BUILD_DIR/artifacts/). Used by CI with e.g. 60 seconds.
set -eu
seconds=${1:?usage: run-fuzz.sh SECONDS [BUILD_DIR]}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$src/build-fuzz}
shared=${MADOGUCHI_SHARED_DIR:-$src/../shared}
jobs=${FUZZ_BUILD_JOBS:-2}

cmake -S "$src" -B "$build" -DMADOGUCHI_FUZZ=ON -DMADOGUCHI_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DMADOGUCHI_SHARED_DIR="$shared" >/dev/null
make -C "$build" -j"$jobs" fuzz_parse_mail >/dev/null

corpus="$build/fuzz-corpus"
mkdir -p "$corpus" "$build/artifacts"
if [ -d "$shared/corpus" ] && [ -z "$(ls -A "$corpus")" ]; then
  # Seed with the shared corpus (files up to 256 KiB keep the run fast).
  find "$shared/corpus" -type f -size -256k ! -name '*.md' ! -name '*.tsv' ! -name 'LICENSE*' \
    -exec cp {} "$corpus/" \; 2>/dev/null || true
fi
exec "$build/tests/fuzz/fuzz_parse_mail" "$corpus" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1

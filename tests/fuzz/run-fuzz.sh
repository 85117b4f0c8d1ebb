#!/bin/sh
# run-fuzz.sh SECONDS [BUILD_DIR] — build the parser fuzzer with clang, ASan and UBSan in a
# separate build directory and run it for SECONDS over a corpus seeded from the public mail
# corpus of tests/corpus/mail/. Exits non-zero when the fuzzer finds a crash, a leak or
# undefined behaviour (the reproducer is left in BUILD_DIR/artifacts/), and when there is no
# corpus to seed from. Used by scripts/test.sh (and so CI) with 60 seconds.
#
# Environment: FUZZ_MAX_LEN (65536: the largest input libFuzzer builds or reads),
# FUZZ_BUILD_JOBS (2).
#
# What is instrumented: our code (the parsers library, compiled with
# -fsanitize=fuzzer-no-link plus ASan/UBSan) including the mimetic templates it instantiates
# (IteratorParser and the header-only parts it pulls in). Debian's prebuilt libmimetic.so is
# linked as it is: its compiled functions give the fuzzer no coverage feedback and ASan sees
# only what its interceptors see (malloc, memcpy, ...), not its own out-of-bounds reads.
#
# Seeds larger than FUZZ_MAX_LEN are not copied: libFuzzer would read only their first
# FUZZ_MAX_LEN bytes, so they would be fuzzed as cut mails. The script says how many it left
# out; raise FUZZ_MAX_LEN to include them (each execution gets slower).
set -eu
seconds=${1:?usage: run-fuzz.sh SECONDS [BUILD_DIR]}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$src/build-fuzz}
mails=$src/tests/corpus/mail
jobs=${FUZZ_BUILD_JOBS:-2}
max_len=${FUZZ_MAX_LEN:-65536}

if [ ! -f "$mails/MANIFEST.tsv" ]; then
  echo "run-fuzz.sh: no seed corpus at $mails (MANIFEST.tsv missing)" >&2
  exit 1
fi

cmake -S "$src" -B "$build" -DMADOGUCHI_FUZZ=ON -DMADOGUCHI_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
make -C "$build" -j"$jobs" fuzz_parse_mail >/dev/null

corpus="$build/fuzz-corpus"
mkdir -p "$corpus" "$build/artifacts"
if [ -z "$(ls -A "$corpus")" ]; then
  # The mails of MANIFEST.tsv up to max_len bytes; the larger ones are named, not cut.
  kept=0 skipped=0
  while IFS="$(printf '\t')" read -r _ file _ _ _ bytes _; do
    if [ "$bytes" -le "$max_len" ]; then
      cp "$mails/$file" "$corpus/$(echo "$file" | tr / _)"
      kept=$((kept + 1))
    else
      echo "run-fuzz.sh: seed $file ($bytes bytes) left out: over -max_len=$max_len" >&2
      skipped=$((skipped + 1))
    fi
  done <<EOF
$(tail -n +2 "$mails/MANIFEST.tsv")
EOF
  echo "run-fuzz.sh: $kept seeds, $skipped left out (over -max_len=$max_len)" >&2
fi
if [ -z "$(ls -A "$corpus")" ]; then
  echo "run-fuzz.sh: the fuzz corpus $corpus is empty" >&2
  exit 1
fi
large=$(find "$corpus" -type f -size +"$max_len"c | wc -l)
if [ "$large" -gt 0 ]; then
  echo "run-fuzz.sh: $large files in $corpus are over -max_len=$max_len and will be read cut" \
    "(left from a run with a larger FUZZ_MAX_LEN; remove the directory to reseed)" >&2
fi
exec "$build/tests/fuzz/fuzz_parse_mail" "$corpus" \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1

#!/bin/sh
# bench/parse/run.sh [ROUNDS] — parse throughput of madoguchi's parser against Python's email
# package over the same corpus files, in the same run, and the ratio (goal: >= 10x).
# Builds the parsers library (RelWithDebInfo) in build-bench/ and a small driver next to it.
# The corpus: tests/corpus/mail/ (MANIFEST.tsv). Environment: JOBS (2).
set -eu
rounds=${1:-5}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-bench
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
make -C "$build" -j"${JOBS:-2}" madoguchi_parsers >/dev/null
c++ -std=c++20 -O2 -I"$src" "$src/bench/parse/bench_parse.cpp" \
  "$build/parsers/libmadoguchi_parsers.a" -lmimetic -o "$build/bench_parse"

corpus=$src/tests/corpus/mail
files=$(awk -F'\t' 'NR > 1 { print dir "/" $2 }' dir="$corpus" "$corpus/MANIFEST.tsv")
# shellcheck disable=SC2086 # one argument per file; corpus paths have no blanks
ours=$("$build/bench_parse" "$rounds" $files)
# shellcheck disable=SC2086
theirs=$(python3 "$src/bench/parse/bench_python.py" "$rounds" $files)
echo "madoguchi: $ours"
echo "python:    $theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("madoguchi %.1f MB/s %.0f mails/s | python %.2f MB/s %.0f mails/s | ratio %.1fx (MB/s) %.1fx (mails/s)"
      % (o["mb_per_s"], o["mails_per_s"], t["mb_per_s"], t["mails_per_s"],
         o["mb_per_s"] / t["mb_per_s"], o["mails_per_s"] / t["mails_per_s"]))
PY

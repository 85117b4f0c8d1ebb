#!/usr/bin/env bash
# bench/classify/run.sh — classification throughput with the shipped desks and with 1,000
# generated keyword rules, against a naive per-rule substring loop, in one run.
# Usage: bench/classify/run.sh [BUILD_DIR]   (default: build-bench next to the sources)
# RelWithDebInfo (-O2 -g) is the project default build type; the bench uses it too.
# Builds the rules library in BUILD_DIR, compiles the bench against it, runs it.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-bench}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target madoguchi_rules -j2 >/dev/null
g++ -std=c++20 -O2 -Wall -Wextra -Werror -I"$src" "$src/bench/classify/bench_classify.cpp" \
  "$build/rules/libmadoguchi_rules.a" "$build/parsers/libmadoguchi_parsers.a" \
  $(pkg-config --libs re2 libutf8proc) -lyaml-cpp -lmimetic -o "$build/bench_classify"
"$build/bench_classify" "$src"

#!/usr/bin/env bash
# bench/classify/run.sh — classification throughput (Policy::decide) with the shipped desks and
# with 1,000 generated keyword rules, against normalise + RE2::Set over the same keywords, the
# matchers alone (RE2::Set, memmem, our automaton; std::string::find shown as the straw man it
# is) and decide's time split into its parts, in one run (see bench_classify.cpp).
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

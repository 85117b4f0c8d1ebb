// Instants as text: the ISO 8601 grammar accepted by `--at` and printed by the CLI, and the
// Japanese short form of the acknowledgement templates.
#include <doctest/doctest.h>

#include "rules/calendar.h"

using namespace std::chrono;
using madoguchi::rules::format_iso8601;
using madoguchi::rules::format_japanese;
using madoguchi::rules::parse_iso8601;

namespace {
sys_seconds utc(int y, unsigned m, unsigned d, int h, int mi, int s = 0) {
  return sys_seconds{sys_days{year{y} / month{m} / day{d}}} + hours{h} + minutes{mi} + seconds{s};
}
}  // namespace

TEST_CASE("iso8601: format with the desk offset") {
  const sys_seconds t = utc(2026, 11, 24, 1, 0);
  CHECK(format_iso8601(t, minutes{9 * 60}) == "2026-11-24T10:00:00+09:00");
  CHECK(format_iso8601(t, minutes{0}) == "2026-11-24T01:00:00+00:00");
  CHECK(format_iso8601(t, -minutes{5 * 60 + 30}) == "2026-11-23T19:30:00-05:30");
  CHECK(format_iso8601(utc(2026, 12, 31, 15, 0, 7), minutes{9 * 60}) == "2027-01-01T00:00:07+09:00");
  CHECK(format_iso8601(utc(1969, 12, 31, 23, 59, 59), minutes{0}) == "1969-12-31T23:59:59+00:00");
}

TEST_CASE("iso8601: parse any offset, Z, or none (= Asia/Tokyo)") {
  const sys_seconds t = utc(2026, 11, 24, 1, 0);
  CHECK(parse_iso8601("2026-11-24T10:00:00+09:00") == t);
  CHECK(parse_iso8601("2026-11-24T01:00:00Z") == t);
  CHECK(parse_iso8601("2026-11-24t01:00:00z") == t);
  CHECK(parse_iso8601("2026-11-24T01:00:00+00:00") == t);
  CHECK(parse_iso8601("2026-11-23T20:00:00-05:00") == t);
  CHECK(parse_iso8601("2026-11-24T10:00:00+0900") == t);
  CHECK(parse_iso8601("2026-11-24T10:00+09:00") == t);
  CHECK(parse_iso8601("2026-11-24 10:00:00+09:00") == t);
  CHECK(parse_iso8601("2026-11-24T10:00:00") == t);  // no offset: +09:00
  CHECK(parse_iso8601("2026-11-24T10:00") == t);
  CHECK(parse_iso8601("2026-11-24T10:00:00.999+09:00") == t);  // fractions truncated
  CHECK(parse_iso8601("2024-02-29T00:00:00Z") == utc(2024, 2, 29, 0, 0));
}

TEST_CASE("iso8601: everything else is rejected") {
  for (const char* bad : {"", "2026-11-24", "2026-11-24T", "2026-11-24T10", "2026-11-24T10:00:00+9",
                          "2026-11-24T10:00:00+09:0", "2026-11-24T10:00:00+24:00",
                          "2026-11-24T10:00:00 JST", "2026-11-24T10:00:00Z ", "2026-02-30T10:00:00Z",
                          "2025-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-24T24:00:00Z",
                          "2026-11-24T10:60:00Z", "2026-11-24T10:00:60Z", "2026-11-24T10:00:00.Z",
                          "26-11-24T10:00:00Z", "2026/11/24T10:00:00Z", "２０２６-11-24T10:00:00Z",
                          "2026-11-24T10:00:00+09:00:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("iso8601: format and parse round-trip") {
  for (sys_seconds t = utc(2019, 4, 29, 0, 0); t < utc(2019, 5, 8, 0, 0); t += minutes{997}) {
    CHECK(parse_iso8601(format_iso8601(t, minutes{9 * 60})) == t);
    CHECK(parse_iso8601(format_iso8601(t, -minutes{7 * 60})) == t);
  }
}

TEST_CASE("format_japanese: the acknowledgement form") {
  CHECK(format_japanese(utc(2026, 11, 24, 1, 0), minutes{9 * 60}) == "11月24日(火) 10:00");
  CHECK(format_japanese(utc(2027, 1, 4, 0, 5), minutes{9 * 60}) == "1月4日(月) 09:05");  // hours zero-padded: 09:05 beside 10:00
  CHECK(format_japanese(utc(2026, 11, 28, 15, 0), minutes{9 * 60}) == "11月29日(日) 00:00");
}

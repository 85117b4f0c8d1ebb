// date.h — RFC 5322 Date parsing, including the obsolete forms (two-digit years, named and
// military zones, missing seconds or weekday, comments). Pure: no clock, no locale.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace madoguchi::parsers {

// "Wed, 22 Jul 2015 01:02:29 +0900 (JST)" -> the UTC instant; nullopt when it is not a date.
// Named zones: UT/GMT/Z, EST/EDT/CST/CDT/MST/MDT/PST/PDT, and JST (+0900, common in Japanese
// mail); military letters and unknown names count as -0000 (RFC 5322 §4.3).
std::optional<std::chrono::sys_seconds> parse_rfc5322_date(std::string_view value);

}  // namespace madoguchi::parsers

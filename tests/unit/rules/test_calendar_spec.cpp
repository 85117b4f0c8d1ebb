// The desk YAML `hours:` mapping: defaults, every key, and errors at file:line:column.
#include <doctest/doctest.h>

#include "rules/calendar.h"

using namespace std::chrono;
using madoguchi::rules::CalendarSpec;
using madoguchi::rules::ConfigReader;
using madoguchi::rules::parse_calendar_spec;

namespace {

struct Parsed {
  bool ok = false;
  CalendarSpec spec;
  std::vector<std::string> errors;
};

Parsed parse(const std::string& yaml) {
  ConfigReader reader("desk.yaml");
  auto root = reader.parse(yaml);
  REQUIRE(root.has_value());
  Parsed p;
  p.ok = parse_calendar_spec((*root)["hours"], reader, p.spec);
  for (const auto& e : reader.errors()) p.errors.push_back(e.to_string());
  return p;
}

}  // namespace

TEST_CASE("hours: only open and close given, everything else defaults") {
  const Parsed p = parse("address: x\nhours:\n  open: \"10:00\"\n  close: \"17:00\"\n");
  REQUIRE(p.ok);
  CHECK(p.errors.empty());
  CHECK(p.spec.open_minute == 600);
  CHECK(p.spec.close_minute == 1020);
  CHECK(p.spec.open_weekdays == std::array<bool, 7>{false, true, true, true, true, true, false});
  CHECK(p.spec.national_holidays_closed);
  REQUIRE(p.spec.closed_ranges.size() == 1);
  CHECK(p.spec.closed_ranges[0].from.month == 12);
  CHECK(p.spec.closed_ranges[0].from.day == 29);
  CHECK(p.spec.closed_ranges[0].to.month == 1);
  CHECK(p.spec.closed_ranges[0].to.day == 3);
  CHECK(p.spec.closed_ranges[0].name == "年末年始");
  CHECK(p.spec.utc_offset == minutes{540});
}

TEST_CASE("hours: every key") {
  const Parsed p = parse(
      "hours:\n"
      "  days: [mon, tue, wed, thu, fri, sat]\n"
      "  open: 9:30\n"
      "  close: \"24:00\"\n"
      "  time_zone: Asia/Tokyo\n"
      "  national_holidays: open\n"
      "  year_end: {from: \"12-28\", to: \"01-04\"}\n"
      "  closed_dates: [2026-08-14, \"2026-08-13\"]\n"
      "  open_dates: [2026-11-29]\n");
  REQUIRE(p.ok);
  CHECK(p.spec.open_weekdays == std::array<bool, 7>{false, true, true, true, true, true, true});
  CHECK(p.spec.open_minute == 570);
  CHECK(p.spec.close_minute == 1440);
  CHECK_FALSE(p.spec.national_holidays_closed);
  REQUIRE(p.spec.closed_ranges.size() == 1);
  CHECK(p.spec.closed_ranges[0].from.day == 28);
  CHECK(p.spec.closed_ranges[0].to.day == 4);
  CHECK(p.spec.closed_dates ==
        std::vector<year_month_day>{2026y / August / 14, 2026y / August / 13});
  CHECK(p.spec.open_dates == std::vector<year_month_day>{2026y / November / 29});
}

TEST_CASE("hours: year_end none and national holidays closed") {
  const Parsed p = parse(
      "hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  year_end: none\n"
      "  national_holidays: closed\n  closed_dates: []\n");
  REQUIRE(p.ok);
  CHECK(p.spec.closed_ranges.empty());
  CHECK(p.spec.national_holidays_closed);
  CHECK(p.spec.closed_dates.empty());
}

TEST_CASE("hours: errors carry file:line:column and are all reported") {
  const Parsed p = parse(
      "hours:\n"                                  // 1
      "  days: [mon, tues, mon]\n"                // 2
      "  open: \"18:00\"\n"                       // 3
      "  close: \"17:00\"\n"                      // 4
      "  time_zone: Europe/Paris\n"               // 5
      "  national_holidays: sometimes\n"          // 6
      "  year_end: {from: \"12-32\", to: 3}\n"    // 7
      "  closed_dates: [2026-02-30, 2026-08-14, 2026-08-14]\n"  // 8
      "  open_dates: [2026-08-14]\n"              // 9
      "  holidays: closed\n");                    // 10
  CHECK_FALSE(p.ok);
  const std::vector<std::string> expected{
      "desk.yaml:10:3: unknown key 'holidays' (expected one of: days, open, close, time_zone, "
      "national_holidays, year_end, closed_dates, open_dates)",
      "desk.yaml:2:15: unknown day 'tues' (expected sun, mon, tue, wed, thu, fri, sat)",
      "desk.yaml:2:21: day 'mon' listed twice",
      "desk.yaml:4:10: 'close' (17:00) must be after 'open' (18:00)",
      "desk.yaml:5:14: unsupported time_zone 'Europe/Paris' (only Asia/Tokyo is supported)",
      "desk.yaml:6:22: 'national_holidays' must be closed or open",
      "desk.yaml:7:20: 'from' must be a month-day MM-DD",
      "desk.yaml:7:33: 'to' must be a month-day MM-DD",
      "desk.yaml:8:18: items of 'closed_dates' must be dates YYYY-MM-DD",
      "desk.yaml:8:42: date 2026-08-14 listed twice in 'closed_dates'",
      "desk.yaml:9:16: date 2026-08-14 is in both 'closed_dates' and 'open_dates'",
  };
  CHECK(p.errors == expected);
}

TEST_CASE("hours: required keys, malformed values and wrong shapes") {
  CHECK(parse("hours:\n  close: \"17:00\"\n").errors ==
        std::vector<std::string>{"desk.yaml:2:3: missing required key 'open'"});
  CHECK(parse("hours: weekdays\n").errors ==
        std::vector<std::string>{"desk.yaml:1:8: 'hours' must be a mapping"});
  CHECK_FALSE(parse("other: 1\n").ok);  // no hours at all
  for (const char* bad : {"9", "9:0", "09:60", "24:00", "123:00", "-1:00", "09:00am", "+9:00"}) {
    CAPTURE(bad);
    const Parsed p = parse(std::string("hours:\n  open: \"") + bad + "\"\n  close: \"17:00\"\n");
    CHECK_FALSE(p.ok);
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0] == "desk.yaml:2:9: 'open' must be a time HH:MM (00:00-23:59)");
  }
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"24:01\"\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"09:00\"\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  days: []\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  days: mon\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  year_end: yes\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  year_end: {from: \"12-29\"}\n").ok);
  CHECK_FALSE(
      parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  year_end: {from: \"12-29\", to: \"01-03\", x: 1}\n").ok);
  CHECK_FALSE(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  closed_dates: 2026-08-14\n").ok);
  CHECK(parse("hours:\n  open: \"09:00\"\n  close: \"17:00\"\n  year_end: {from: \"02-29\", to: \"03-01\"}\n").ok);
}

TEST_CASE("hours: a parsed spec drives the calendar") {
  const Parsed p = parse(
      "hours:\n  days: [mon, tue, wed, thu, fri]\n  open: \"10:00\"\n  close: \"17:00\"\n"
      "  closed_dates: [2026-08-14]\n");
  REQUIRE(p.ok);
  const madoguchi::rules::BusinessCalendar c(p.spec);
  CHECK(c.closed_reason(2026y / August / 14) == "弊社指定日");
  CHECK(madoguchi::rules::format_iso8601(
            c.next_open(*madoguchi::rules::parse_iso8601("2026-11-21T10:00:00+09:00")),
            p.spec.utc_offset) == "2026-11-24T10:00:00+09:00");
}

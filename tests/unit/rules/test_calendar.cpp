// BusinessCalendar: open/closed around the closing minute, weekends, holidays, 年末年始,
// designated and extra open days, long runs (Golden Week, Silver Week), and the two ways of
// computing a due time. Instants are written in ISO 8601 with their offset so that each
// expectation reads as the desk's local time.
#include <doctest/doctest.h>

#include <stdexcept>

#include "rules/calendar.h"

using namespace std::chrono;
using madoguchi::rules::BusinessCalendar;
using madoguchi::rules::CalendarSpec;
using madoguchi::rules::ClosedRange;
using madoguchi::rules::format_iso8601;
using madoguchi::rules::parse_iso8601;

namespace {

constexpr minutes jst{9 * 60};

sys_seconds at(const char* iso) {
  const auto t = parse_iso8601(iso);
  REQUIRE_MESSAGE(t.has_value(), iso);
  return *t;
}

std::string show(sys_seconds t) { return format_iso8601(t, jst); }

year_month_day ymd(int y, unsigned m, unsigned d) { return year{y} / month{m} / day{d}; }

// The layerx / votiro desks: weekdays 9-17.
BusinessCalendar nine_to_five() { return BusinessCalendar(CalendarSpec{}); }

// The passlogic desk: weekdays 10-17.
BusinessCalendar ten_to_five() {
  CalendarSpec s;
  s.open_minute = 10 * 60;
  return BusinessCalendar(s);
}

}  // namespace

TEST_CASE("calendar: opening minute inclusive, closing minute exclusive") {
  const BusinessCalendar c = nine_to_five();
  CHECK_FALSE(c.is_open(at("2026-11-24T08:59:59+09:00")));
  CHECK(c.is_open(at("2026-11-24T09:00:00+09:00")));
  CHECK(c.is_open(at("2026-11-24T16:59:59+09:00")));
  CHECK_FALSE(c.is_open(at("2026-11-24T17:00:00+09:00")));
  CHECK_FALSE(c.is_open(at("2026-11-24T23:59:59+09:00")));
  // The same instants written in UTC: the local day, not the UTC day, decides.
  CHECK(c.is_open(at("2026-11-24T00:00:00Z")));
  CHECK_FALSE(c.is_open(at("2026-11-23T23:59:59Z")));
  CHECK_FALSE(c.is_open(at("2026-11-24T08:00:00Z")));
}

TEST_CASE("calendar: next_open is t itself when open, else the next opening") {
  const BusinessCalendar c = nine_to_five();
  CHECK(show(c.next_open(at("2026-11-24T12:34:56+09:00"))) == "2026-11-24T12:34:56+09:00");
  CHECK(show(c.next_open(at("2026-11-24T09:00:00+09:00"))) == "2026-11-24T09:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-24T06:00:00+09:00"))) == "2026-11-24T09:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-24T17:00:00+09:00"))) == "2026-11-25T09:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-24T16:59:59+09:00"))) == "2026-11-24T16:59:59+09:00");
  // Friday evening -> Monday.
  CHECK(show(c.next_open(at("2026-11-27T17:00:00+09:00"))) == "2026-11-30T09:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-28T11:00:00+09:00"))) == "2026-11-30T09:00:00+09:00");
  // Any input offset: 2026-11-27 20:00 in New York is Saturday 10:00 in Tokyo.
  CHECK(show(c.next_open(at("2026-11-27T20:00:00-05:00"))) == "2026-11-30T09:00:00+09:00");
}

TEST_CASE("calendar: a Monday holiday after the weekend (passlogic 10:00)") {
  const BusinessCalendar c = ten_to_five();
  CHECK(c.closed_reason(ymd(2026, 11, 23)) == "勤労感謝の日");
  CHECK(show(c.next_open(at("2026-11-21T10:00:00+09:00"))) == "2026-11-24T10:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-20T17:00:00+09:00"))) == "2026-11-24T10:00:00+09:00");
  CHECK(show(c.next_open(at("2026-11-24T09:59:00+09:00"))) == "2026-11-24T10:00:00+09:00");
}

TEST_CASE("calendar: 年末年始 wraps the year end") {
  const BusinessCalendar c = nine_to_five();
  CHECK(c.closed_reason(ymd(2026, 12, 28)) == std::nullopt);
  CHECK(c.closed_reason(ymd(2026, 12, 29)) == "年末年始");
  CHECK(c.closed_reason(ymd(2026, 12, 31)) == "年末年始");
  CHECK(c.closed_reason(ymd(2027, 1, 1)) == "年末年始");
  CHECK(c.closed_reasons(ymd(2027, 1, 1)) == std::vector<std::string>{"年末年始", "元日"});
  CHECK(c.closed_reason(ymd(2027, 1, 3)) == "年末年始");
  CHECK(c.closed_reason(ymd(2027, 1, 4)) == std::nullopt);
  CHECK(show(c.next_open(at("2026-12-28T17:00:00+09:00"))) == "2027-01-04T09:00:00+09:00");
  // A non-wrapping range.
  CalendarSpec s;
  s.closed_ranges = {{{8, 13}, {8, 16}, "夏季休業"}};
  const BusinessCalendar summer(s);
  CHECK(summer.closed_reason(ymd(2027, 8, 12)) == std::nullopt);
  CHECK(summer.closed_reason(ymd(2027, 8, 13)) == "夏季休業");
  CHECK(summer.closed_reason(ymd(2027, 8, 16)) == "夏季休業");
  CHECK(summer.closed_reason(ymd(2027, 12, 30)) == std::nullopt);
  CHECK(summer.closed_reason(ymd(2027, 1, 1)) == "元日");
}

TEST_CASE("calendar: Golden Week and Silver Week") {
  const BusinessCalendar c = nine_to_five();
  // 2026: 4/29 Wed 昭和の日, 4/30-5/1 open, 5/2-5/6 closed (5/6 振替休日).
  CHECK(c.closed_reason(ymd(2026, 4, 29)) == "昭和の日");
  CHECK(c.closed_reason(ymd(2026, 4, 30)) == std::nullopt);
  CHECK(c.closed_reason(ymd(2026, 5, 6)) == "振替休日");
  CHECK(show(c.next_open(at("2026-05-01T17:00:00+09:00"))) == "2026-05-07T09:00:00+09:00");
  CHECK(show(c.add_business_days(at("2026-05-01T10:00:00+09:00"), 1)) ==
        "2026-05-07T10:00:00+09:00");
  // 2019: ten days closed, 4/27-5/6.
  CHECK(show(c.next_open(at("2019-04-26T17:00:00+09:00"))) == "2019-05-07T09:00:00+09:00");
  CHECK(c.closed_reason(ymd(2019, 4, 30)) == "国民の休日");
  CHECK(c.closed_reason(ymd(2019, 5, 1)) == "即位の日");
  // Silver Week 2026: 9/19 Sat - 9/23 Wed.
  CHECK(c.closed_reason(ymd(2026, 9, 22)) == "国民の休日");
  CHECK(show(c.next_open(at("2026-09-18T17:00:00+09:00"))) == "2026-09-24T09:00:00+09:00");
  CHECK(show(c.add_business_time(at("2026-09-18T16:00:00+09:00"), hours{2})) ==
        "2026-09-24T10:00:00+09:00");
}

TEST_CASE("calendar: designated closed days and extra open days") {
  CalendarSpec s;
  s.closed_dates = {ymd(2026, 8, 14)};
  s.open_dates = {ymd(2026, 11, 28), ymd(2026, 12, 29), ymd(2026, 11, 23)};
  const BusinessCalendar c(s);
  CHECK(c.closed_reason(ymd(2026, 8, 14)) == "弊社指定日");
  CHECK(show(c.next_open(at("2026-08-13T17:00:00+09:00"))) == "2026-08-17T09:00:00+09:00");
  // Extra open days override the weekend, holidays and 年末年始, with the usual hours.
  CHECK(c.closed_reason(ymd(2026, 11, 28)) == std::nullopt);
  CHECK(c.is_open(at("2026-11-28T10:00:00+09:00")));
  CHECK_FALSE(c.is_open(at("2026-11-28T17:00:00+09:00")));
  CHECK(c.is_open(at("2026-11-23T09:00:00+09:00")));
  CHECK(c.is_open(at("2026-12-29T09:00:00+09:00")));
  CHECK_FALSE(c.is_open(at("2026-12-30T09:00:00+09:00")));
  CHECK(show(c.next_open(at("2026-12-28T17:00:00+09:00"))) == "2026-12-29T09:00:00+09:00");
  CHECK(show(c.next_open(at("2026-12-29T17:00:00+09:00"))) == "2027-01-04T09:00:00+09:00");
}

TEST_CASE("calendar: closed reasons, most desk-specific first") {
  CalendarSpec s;
  s.closed_dates = {ymd(2026, 5, 3), ymd(2026, 12, 30)};
  const BusinessCalendar c(s);
  CHECK(c.closed_reasons(ymd(2026, 5, 3)) ==
        std::vector<std::string>{"弊社指定日", "憲法記念日", "日曜日"});
  CHECK(c.closed_reasons(ymd(2026, 12, 30)) == std::vector<std::string>{"弊社指定日", "年末年始"});
  CHECK(c.closed_reason(ymd(2026, 11, 28)) == "土曜日");
  CHECK(c.closed_reason(ymd(2026, 11, 29)) == "日曜日");
  CHECK(c.closed_reasons(ymd(2026, 11, 30)).empty());
  CHECK(c.closed_reasons(year{2026} / February / day{30}).empty());
}

TEST_CASE("calendar: national holidays may be open") {
  CalendarSpec s;
  s.national_holidays_closed = false;
  s.closed_ranges.clear();
  const BusinessCalendar c(s);
  CHECK(c.is_open(at("2026-11-23T10:00:00+09:00")));
  CHECK(c.is_open(at("2026-12-31T10:00:00+09:00")));
  CHECK(c.closed_reason(ymd(2026, 5, 3)) == "日曜日");
}

TEST_CASE("calendar: weekend desks and minute precision") {
  CalendarSpec s;
  s.open_weekdays = {true, false, false, false, false, false, true};  // Sat and Sun only
  s.open_minute = 9 * 60 + 30;
  s.close_minute = 12 * 60 + 15;
  s.national_holidays_closed = false;
  const BusinessCalendar c(s);
  CHECK_FALSE(c.is_open(at("2026-11-28T09:29:59+09:00")));
  CHECK(c.is_open(at("2026-11-28T09:30:00+09:00")));
  CHECK(c.is_open(at("2026-11-29T12:14:59+09:00")));
  CHECK_FALSE(c.is_open(at("2026-11-29T12:15:00+09:00")));
  CHECK(c.closed_reason(ymd(2026, 11, 30)) == "月曜日");
  CHECK(show(c.next_open(at("2026-11-29T12:15:00+09:00"))) == "2026-12-05T09:30:00+09:00");
}

TEST_CASE("calendar: a desk open until midnight") {
  CalendarSpec s;
  s.close_minute = 24 * 60;
  const BusinessCalendar c(s);
  CHECK(c.is_open(at("2026-11-24T23:59:59+09:00")));
  CHECK_FALSE(c.is_open(at("2026-11-28T00:00:00+09:00")));
  CHECK(show(c.add_business_time(at("2026-11-24T23:00:00+09:00"), hours{2})) ==
        "2026-11-25T10:00:00+09:00");
}

TEST_CASE("calendar: add_business_time") {
  const BusinessCalendar c = nine_to_five();
  auto add = [&](const char* iso, minutes d) { return show(c.add_business_time(at(iso), d)); };
  CHECK(add("2026-11-24T10:00:00+09:00", hours{2}) == "2026-11-24T12:00:00+09:00");
  // The due time may be the closing instant itself: eight hours fill one whole day.
  CHECK(add("2026-11-24T09:00:00+09:00", hours{8}) == "2026-11-24T17:00:00+09:00");
  CHECK(add("2026-11-24T09:00:00+09:00", minutes{8 * 60 + 1}) == "2026-11-25T09:01:00+09:00");
  CHECK(add("2026-11-24T16:00:00+09:00", hours{2}) == "2026-11-25T10:00:00+09:00");
  CHECK(add("2026-11-24T16:00:00+09:00", hours{17}) == "2026-11-26T17:00:00+09:00");
  CHECK(add("2026-11-27T16:30:00+09:00", hours{1}) == "2026-11-30T09:30:00+09:00");
  // Starting while closed counts from the next opening.
  CHECK(add("2026-11-28T03:00:00+09:00", hours{1}) == "2026-11-30T10:00:00+09:00");
  CHECK(add("2026-11-21T12:00:00+09:00", minutes{0}) == "2026-11-24T09:00:00+09:00");
  // Across 年末年始: 12/28 16:00 + 3h = 1h on 12/28, 2h on 1/4.
  CHECK(add("2026-12-28T16:00:00+09:00", hours{3}) == "2027-01-04T11:00:00+09:00");
  // Seconds are kept.
  CHECK(add("2026-11-24T16:59:30+09:00", minutes{1}) == "2026-11-25T09:00:30+09:00");
  CHECK_THROWS_AS(c.add_business_time(at("2026-11-24T10:00:00+09:00"), minutes{-1}),
                  std::invalid_argument);
}

TEST_CASE("calendar: add_business_days keeps the time of day of the next opening") {
  const BusinessCalendar c = nine_to_five();
  auto add = [&](const char* iso, int n) { return show(c.add_business_days(at(iso), n)); };
  CHECK(add("2026-11-24T10:15:00+09:00", 0) == "2026-11-24T10:15:00+09:00");
  CHECK(add("2026-11-24T10:15:00+09:00", 1) == "2026-11-25T10:15:00+09:00");
  CHECK(add("2026-11-27T15:00:00+09:00", 1) == "2026-11-30T15:00:00+09:00");  // Fri -> Mon
  CHECK(add("2026-11-28T12:00:00+09:00", 1) == "2026-12-01T09:00:00+09:00");  // Sat -> Tue
  CHECK(add("2026-11-27T17:30:00+09:00", 1) == "2026-12-01T09:00:00+09:00");  // after hours
  CHECK(add("2026-11-20T16:59:59+09:00", 1) == "2026-11-24T16:59:59+09:00");  // over 11/23
  CHECK(add("2026-11-24T10:00:00+09:00", 5) == "2026-12-01T10:00:00+09:00");
  CHECK(add("2026-12-25T10:00:00+09:00", 2) == "2027-01-04T10:00:00+09:00");  // 12/28, then 1/4
  CHECK(add("2026-11-24T10:00:00+09:00", 0) == show(c.next_open(at("2026-11-24T10:00:00+09:00"))));
  CHECK_THROWS_AS(c.add_business_days(at("2026-11-24T10:00:00+09:00"), -1),
                  std::invalid_argument);
}

TEST_CASE("calendar: invalid specs and calendars that never open") {
  CalendarSpec backwards;
  backwards.open_minute = 17 * 60;
  backwards.close_minute = 9 * 60;
  CHECK_THROWS_AS(BusinessCalendar{backwards}, std::invalid_argument);
  CalendarSpec late;
  late.close_minute = 24 * 60 + 1;
  CHECK_THROWS_AS(BusinessCalendar{late}, std::invalid_argument);

  CalendarSpec never;
  never.open_weekdays.fill(false);
  const BusinessCalendar c(never);
  CHECK_FALSE(c.is_open(at("2026-11-24T10:00:00+09:00")));
  CHECK_THROWS_AS(c.next_open(at("2026-11-24T10:00:00+09:00")), std::runtime_error);
}

TEST_CASE("calendar: local_date uses the desk offset") {
  const BusinessCalendar c = nine_to_five();
  CHECK(c.local_date(at("2026-11-23T15:00:00Z")) == ymd(2026, 11, 24));
  CHECK(c.local_date(at("2026-11-23T14:59:59Z")) == ymd(2026, 11, 23));
}

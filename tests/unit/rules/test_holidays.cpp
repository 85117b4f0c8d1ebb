// Japanese national holidays: whole years compared with the Cabinet Office list
// (内閣府「国民の祝日について」, syukujitsu.csv), typed by hand. The CSV names both 振替休日
// and 国民の休日 "休日" and the 2019 special days "休日（祝日扱い）"; here they carry the names
// the acts give them. Then the edge of every rule and invariants over 1980-2099.
#include <doctest/doctest.h>

#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rules/holidays.h"

using namespace std::chrono;
using madoguchi::rules::Holiday;
using madoguchi::rules::HolidayKind;
using madoguchi::rules::japanese_holiday;
using madoguchi::rules::japanese_holidays;

namespace {

std::string iso(const year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// One line per holiday, "YYYY-MM-DD name", as the official list reads.
std::vector<std::string> lines(int year) {
  std::vector<std::string> out;
  for (const Holiday& h : japanese_holidays(year)) out.push_back(iso(h.date) + " " + h.name);
  return out;
}

year_month_day ymd(int y, unsigned m, unsigned d) { return year{y} / month{m} / day{d}; }

std::string name_on(int y, unsigned m, unsigned d) {
  return japanese_holiday(ymd(y, m, d)).value_or("-");
}

}  // namespace

TEST_CASE("holidays: official list 1988 (4/29 天皇誕生日, equinox on Sunday, 5/4 国民の休日)") {
  CHECK(lines(1988) == std::vector<std::string>{
                           "1988-01-01 元日",          "1988-01-15 成人の日",
                           "1988-02-11 建国記念の日",  "1988-03-20 春分の日",
                           "1988-03-21 振替休日",      "1988-04-29 天皇誕生日",
                           "1988-05-03 憲法記念日",    "1988-05-04 国民の休日",
                           "1988-05-05 こどもの日",    "1988-09-15 敬老の日",
                           "1988-09-23 秋分の日",      "1988-10-10 体育の日",
                           "1988-11-03 文化の日",      "1988-11-23 勤労感謝の日",
                       });
}

TEST_CASE("holidays: official list 1989 (大喪の礼, みどりの日, 12/23 天皇誕生日)") {
  CHECK(lines(1989) == std::vector<std::string>{
                           "1989-01-01 元日",
                           "1989-01-02 振替休日",
                           "1989-01-15 成人の日",
                           "1989-01-16 振替休日",
                           "1989-02-11 建国記念の日",
                           "1989-02-24 昭和天皇の大喪の礼",
                           "1989-03-21 春分の日",
                           "1989-04-29 みどりの日",
                           "1989-05-03 憲法記念日",
                           "1989-05-04 国民の休日",
                           "1989-05-05 こどもの日",
                           "1989-09-15 敬老の日",
                           "1989-09-23 秋分の日",
                           "1989-10-10 体育の日",
                           "1989-11-03 文化の日",
                           "1989-11-23 勤労感謝の日",
                           "1989-12-23 天皇誕生日",
                       });
}

TEST_CASE("holidays: official list 1990 (即位礼正殿の儀, four 振替休日)") {
  CHECK(lines(1990) == std::vector<std::string>{
                           "1990-01-01 元日",         "1990-01-15 成人の日",
                           "1990-02-11 建国記念の日", "1990-02-12 振替休日",
                           "1990-03-21 春分の日",     "1990-04-29 みどりの日",
                           "1990-04-30 振替休日",     "1990-05-03 憲法記念日",
                           "1990-05-04 国民の休日",   "1990-05-05 こどもの日",
                           "1990-09-15 敬老の日",     "1990-09-23 秋分の日",
                           "1990-09-24 振替休日",     "1990-10-10 体育の日",
                           "1990-11-03 文化の日",     "1990-11-12 即位礼正殿の儀",
                           "1990-11-23 勤労感謝の日", "1990-12-23 天皇誕生日",
                           "1990-12-24 振替休日",
                       });
}

TEST_CASE("holidays: official list 1993 (皇太子徳仁親王の結婚の儀)") {
  CHECK(lines(1993) == std::vector<std::string>{
                           "1993-01-01 元日",
                           "1993-01-15 成人の日",
                           "1993-02-11 建国記念の日",
                           "1993-03-20 春分の日",
                           "1993-04-29 みどりの日",
                           "1993-05-03 憲法記念日",
                           "1993-05-04 国民の休日",
                           "1993-05-05 こどもの日",
                           "1993-06-09 皇太子徳仁親王の結婚の儀",
                           "1993-09-15 敬老の日",
                           "1993-09-23 秋分の日",
                           "1993-10-10 体育の日",
                           "1993-10-11 振替休日",
                           "1993-11-03 文化の日",
                           "1993-11-23 勤労感謝の日",
                           "1993-12-23 天皇誕生日",
                       });
}

TEST_CASE("holidays: official list 2008 (Sunday みどりの日 -> 5/6 under the 2007 rule)") {
  CHECK(lines(2008) == std::vector<std::string>{
                           "2008-01-01 元日",         "2008-01-14 成人の日",
                           "2008-02-11 建国記念の日", "2008-03-20 春分の日",
                           "2008-04-29 昭和の日",     "2008-05-03 憲法記念日",
                           "2008-05-04 みどりの日",   "2008-05-05 こどもの日",
                           "2008-05-06 振替休日",     "2008-07-21 海の日",
                           "2008-09-15 敬老の日",     "2008-09-23 秋分の日",
                           "2008-10-13 体育の日",     "2008-11-03 文化の日",
                           "2008-11-23 勤労感謝の日", "2008-11-24 振替休日",
                           "2008-12-23 天皇誕生日",
                       });
}

TEST_CASE("holidays: official list 2009 (first Silver Week)") {
  CHECK(lines(2009) == std::vector<std::string>{
                           "2009-01-01 元日",         "2009-01-12 成人の日",
                           "2009-02-11 建国記念の日", "2009-03-20 春分の日",
                           "2009-04-29 昭和の日",     "2009-05-03 憲法記念日",
                           "2009-05-04 みどりの日",   "2009-05-05 こどもの日",
                           "2009-05-06 振替休日",     "2009-07-20 海の日",
                           "2009-09-21 敬老の日",     "2009-09-22 国民の休日",
                           "2009-09-23 秋分の日",     "2009-10-12 体育の日",
                           "2009-11-03 文化の日",     "2009-11-23 勤労感謝の日",
                           "2009-12-23 天皇誕生日",
                       });
}

TEST_CASE("holidays: official list 2015 (Silver Week 国民の休日)") {
  CHECK(lines(2015) == std::vector<std::string>{
                           "2015-01-01 元日",         "2015-01-12 成人の日",
                           "2015-02-11 建国記念の日", "2015-03-21 春分の日",
                           "2015-04-29 昭和の日",     "2015-05-03 憲法記念日",
                           "2015-05-04 みどりの日",   "2015-05-05 こどもの日",
                           "2015-05-06 振替休日",     "2015-07-20 海の日",
                           "2015-09-21 敬老の日",     "2015-09-22 国民の休日",
                           "2015-09-23 秋分の日",     "2015-10-12 体育の日",
                           "2015-11-03 文化の日",     "2015-11-23 勤労感謝の日",
                           "2015-12-23 天皇誕生日",
                       });
}

TEST_CASE("holidays: official list 2019 (accession: ten-day Golden Week, 即位礼正殿の儀)") {
  CHECK(lines(2019) == std::vector<std::string>{
                           "2019-01-01 元日",          "2019-01-14 成人の日",
                           "2019-02-11 建国記念の日",  "2019-03-21 春分の日",
                           "2019-04-29 昭和の日",      "2019-04-30 国民の休日",
                           "2019-05-01 即位の日",      "2019-05-02 国民の休日",
                           "2019-05-03 憲法記念日",    "2019-05-04 みどりの日",
                           "2019-05-05 こどもの日",    "2019-05-06 振替休日",
                           "2019-07-15 海の日",        "2019-08-11 山の日",
                           "2019-08-12 振替休日",      "2019-09-16 敬老の日",
                           "2019-09-23 秋分の日",      "2019-10-14 体育の日",
                           "2019-10-22 即位礼正殿の儀", "2019-11-03 文化の日",
                           "2019-11-04 振替休日",      "2019-11-23 勤労感謝の日",
                       });
}

TEST_CASE("holidays: official list 2020 (Olympic moves, first スポーツの日)") {
  CHECK(lines(2020) == std::vector<std::string>{
                           "2020-01-01 元日",         "2020-01-13 成人の日",
                           "2020-02-11 建国記念の日", "2020-02-23 天皇誕生日",
                           "2020-02-24 振替休日",     "2020-03-20 春分の日",
                           "2020-04-29 昭和の日",     "2020-05-03 憲法記念日",
                           "2020-05-04 みどりの日",   "2020-05-05 こどもの日",
                           "2020-05-06 振替休日",     "2020-07-23 海の日",
                           "2020-07-24 スポーツの日", "2020-08-10 山の日",
                           "2020-09-21 敬老の日",     "2020-09-22 秋分の日",
                           "2020-11-03 文化の日",     "2020-11-23 勤労感謝の日",
                       });
}

TEST_CASE("holidays: official list 2021 (Olympic moves again, 山の日 on Sunday)") {
  CHECK(lines(2021) == std::vector<std::string>{
                           "2021-01-01 元日",         "2021-01-11 成人の日",
                           "2021-02-11 建国記念の日", "2021-02-23 天皇誕生日",
                           "2021-03-20 春分の日",     "2021-04-29 昭和の日",
                           "2021-05-03 憲法記念日",   "2021-05-04 みどりの日",
                           "2021-05-05 こどもの日",   "2021-07-22 海の日",
                           "2021-07-23 スポーツの日", "2021-08-08 山の日",
                           "2021-08-09 振替休日",     "2021-09-20 敬老の日",
                           "2021-09-23 秋分の日",     "2021-11-03 文化の日",
                           "2021-11-23 勤労感謝の日",
                       });
}

TEST_CASE("holidays: official list 2025") {
  CHECK(lines(2025) == std::vector<std::string>{
                           "2025-01-01 元日",         "2025-01-13 成人の日",
                           "2025-02-11 建国記念の日", "2025-02-23 天皇誕生日",
                           "2025-02-24 振替休日",     "2025-03-20 春分の日",
                           "2025-04-29 昭和の日",     "2025-05-03 憲法記念日",
                           "2025-05-04 みどりの日",   "2025-05-05 こどもの日",
                           "2025-05-06 振替休日",     "2025-07-21 海の日",
                           "2025-08-11 山の日",       "2025-09-15 敬老の日",
                           "2025-09-23 秋分の日",     "2025-10-13 スポーツの日",
                           "2025-11-03 文化の日",     "2025-11-23 勤労感謝の日",
                           "2025-11-24 振替休日",
                       });
}

TEST_CASE("holidays: official list 2026 (Silver Week 国民の休日)") {
  CHECK(lines(2026) == std::vector<std::string>{
                           "2026-01-01 元日",         "2026-01-12 成人の日",
                           "2026-02-11 建国記念の日", "2026-02-23 天皇誕生日",
                           "2026-03-20 春分の日",     "2026-04-29 昭和の日",
                           "2026-05-03 憲法記念日",   "2026-05-04 みどりの日",
                           "2026-05-05 こどもの日",   "2026-05-06 振替休日",
                           "2026-07-20 海の日",       "2026-08-11 山の日",
                           "2026-09-21 敬老の日",     "2026-09-22 国民の休日",
                           "2026-09-23 秋分の日",     "2026-10-12 スポーツの日",
                           "2026-11-03 文化の日",     "2026-11-23 勤労感謝の日",
                       });
}

// Every holiday date of 1980-2027 as the Cabinet Office's syukujitsu.csv lists it (the CSV
// reaches next year; the equinoxes of its last year are predictions). "MMDD" is a 祝日,
// "MMDD*" a day the CSV calls 休日 (振替休日 or 国民の休日); the CSV's 休日（祝日扱い） of
// 2019 are the special 祝日 即位の日 and 即位礼正殿の儀. Names are checked by the whole-year
// tests above.
TEST_CASE("holidays: every date 1980-2027 matches the Cabinet Office CSV") {
  const std::vector<std::pair<int, std::string>> csv{
      {1980, "0101 0115 0211 0320 0429 0503 0505 0915 0923 1010 1103 1123 1124*"},
      {1981, "0101 0115 0211 0321 0429 0503 0504* 0505 0915 0923 1010 1103 1123"},
      {1982, "0101 0115 0211 0321 0322* 0429 0503 0505 0915 0923 1010 1011* 1103 1123"},
      {1983, "0101 0115 0211 0321 0429 0503 0505 0915 0923 1010 1103 1123"},
      {1984, "0101 0102* 0115 0116* 0211 0320 0429 0430* 0503 0505 0915 0923 0924* 1010 1103 1123"},
      {1985, "0101 0115 0211 0321 0429 0503 0505 0506* 0915 0916* 0923 1010 1103 1104* 1123"},
      {1986, "0101 0115 0211 0321 0429 0503 0505 0915 0923 1010 1103 1123 1124*"},
      {1987, "0101 0115 0211 0321 0429 0503 0504* 0505 0915 0923 1010 1103 1123"},
      {1988, "0101 0115 0211 0320 0321* 0429 0503 0504* 0505 0915 0923 1010 1103 1123"},
      {1989, "0101 0102* 0115 0116* 0211 0224 0321 0429 0503 0504* 0505 0915 0923 1010 1103 1123 1223"},
      {1990, "0101 0115 0211 0212* 0321 0429 0430* 0503 0504* 0505 0915 0923 0924* 1010 1103 1112 1123 1223 1224*"},
      {1991, "0101 0115 0211 0321 0429 0503 0504* 0505 0506* 0915 0916* 0923 1010 1103 1104* 1123 1223"},
      {1992, "0101 0115 0211 0320 0429 0503 0504* 0505 0915 0923 1010 1103 1123 1223"},
      {1993, "0101 0115 0211 0320 0429 0503 0504* 0505 0609 0915 0923 1010 1011* 1103 1123 1223"},
      {1994, "0101 0115 0211 0321 0429 0503 0504* 0505 0915 0923 1010 1103 1123 1223"},
      {1995, "0101 0102* 0115 0116* 0211 0321 0429 0503 0504* 0505 0915 0923 1010 1103 1123 1223"},
      {1996, "0101 0115 0211 0212* 0320 0429 0503 0504* 0505 0506* 0720 0915 0916* 0923 1010 1103 1104* 1123 1223"},
      {1997, "0101 0115 0211 0320 0429 0503 0505 0720 0721* 0915 0923 1010 1103 1123 1124* 1223"},
      {1998, "0101 0115 0211 0321 0429 0503 0504* 0505 0720 0915 0923 1010 1103 1123 1223"},
      {1999, "0101 0115 0211 0321 0322* 0429 0503 0504* 0505 0720 0915 0923 1010 1011* 1103 1123 1223"},
      {2000, "0101 0110 0211 0320 0429 0503 0504* 0505 0720 0915 0923 1009 1103 1123 1223"},
      {2001, "0101 0108 0211 0212* 0320 0429 0430* 0503 0504* 0505 0720 0915 0923 0924* 1008 1103 1123 1223 1224*"},
      {2002, "0101 0114 0211 0321 0429 0503 0504* 0505 0506* 0720 0915 0916* 0923 1014 1103 1104* 1123 1223"},
      {2003, "0101 0113 0211 0321 0429 0503 0505 0721 0915 0923 1013 1103 1123 1124* 1223"},
      {2004, "0101 0112 0211 0320 0429 0503 0504* 0505 0719 0920 0923 1011 1103 1123 1223"},
      {2005, "0101 0110 0211 0320 0321* 0429 0503 0504* 0505 0718 0919 0923 1010 1103 1123 1223"},
      {2006, "0101 0102* 0109 0211 0321 0429 0503 0504* 0505 0717 0918 0923 1009 1103 1123 1223"},
      {2007, "0101 0108 0211 0212* 0321 0429 0430* 0503 0504 0505 0716 0917 0923 0924* 1008 1103 1123 1223 1224*"},
      {2008, "0101 0114 0211 0320 0429 0503 0504 0505 0506* 0721 0915 0923 1013 1103 1123 1124* 1223"},
      {2009, "0101 0112 0211 0320 0429 0503 0504 0505 0506* 0720 0921 0922* 0923 1012 1103 1123 1223"},
      {2010, "0101 0111 0211 0321 0322* 0429 0503 0504 0505 0719 0920 0923 1011 1103 1123 1223"},
      {2011, "0101 0110 0211 0321 0429 0503 0504 0505 0718 0919 0923 1010 1103 1123 1223"},
      {2012, "0101 0102* 0109 0211 0320 0429 0430* 0503 0504 0505 0716 0917 0922 1008 1103 1123 1223 1224*"},
      {2013, "0101 0114 0211 0320 0429 0503 0504 0505 0506* 0715 0916 0923 1014 1103 1104* 1123 1223"},
      {2014, "0101 0113 0211 0321 0429 0503 0504 0505 0506* 0721 0915 0923 1013 1103 1123 1124* 1223"},
      {2015, "0101 0112 0211 0321 0429 0503 0504 0505 0506* 0720 0921 0922* 0923 1012 1103 1123 1223"},
      {2016, "0101 0111 0211 0320 0321* 0429 0503 0504 0505 0718 0811 0919 0922 1010 1103 1123 1223"},
      {2017, "0101 0102* 0109 0211 0320 0429 0503 0504 0505 0717 0811 0918 0923 1009 1103 1123 1223"},
      {2018, "0101 0108 0211 0212* 0321 0429 0430* 0503 0504 0505 0716 0811 0917 0923 0924* 1008 1103 1123 1223 1224*"},
      {2019, "0101 0114 0211 0321 0429 0430* 0501 0502* 0503 0504 0505 0506* 0715 0811 0812* 0916 0923 1014 1022 1103 1104* 1123"},
      {2020, "0101 0113 0211 0223 0224* 0320 0429 0503 0504 0505 0506* 0723 0724 0810 0921 0922 1103 1123"},
      {2021, "0101 0111 0211 0223 0320 0429 0503 0504 0505 0722 0723 0808 0809* 0920 0923 1103 1123"},
      {2022, "0101 0110 0211 0223 0321 0429 0503 0504 0505 0718 0811 0919 0923 1010 1103 1123"},
      {2023, "0101 0102* 0109 0211 0223 0321 0429 0503 0504 0505 0717 0811 0918 0923 1009 1103 1123"},
      {2024, "0101 0108 0211 0212* 0223 0320 0429 0503 0504 0505 0506* 0715 0811 0812* 0916 0922 0923* 1014 1103 1104* 1123"},
      {2025, "0101 0113 0211 0223 0224* 0320 0429 0503 0504 0505 0506* 0721 0811 0915 0923 1013 1103 1123 1124*"},
      {2026, "0101 0112 0211 0223 0320 0429 0503 0504 0505 0506* 0720 0811 0921 0922* 0923 1012 1103 1123"},
      {2027, "0101 0111 0211 0223 0321 0322* 0429 0503 0504 0505 0719 0811 0920 0923 1011 1103 1123"},
  };
  REQUIRE(csv.size() == 48);
  for (const auto& [y, days] : csv) {
    CAPTURE(y);
    std::vector<std::string> expected;
    for (size_t i = 0; i < days.size();) {
      const size_t end = days.find(' ', i);
      expected.push_back(days.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? days.size() : end + 1;
    }
    std::vector<std::string> actual;
    for (const Holiday& h : japanese_holidays(y)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%02u%02u", static_cast<unsigned>(h.date.month()),
                    static_cast<unsigned>(h.date.day()));
      actual.push_back(std::string(buf) + (h.kind == HolidayKind::national ? "" : "*"));
    }
    CHECK(actual == expected);
  }
}

TEST_CASE("holidays: 国民の休日 on May 4 before 2007") {
  // The clause took effect on 1985-12-27: 5/4 of 1982-1985 (weekdays/Saturday) stayed normal.
  CHECK(name_on(1982, 5, 4) == "-");
  CHECK(name_on(1985, 5, 4) == "-");
  CHECK(name_on(1986, 5, 4) == "-");           // a Sunday: excluded by the clause
  CHECK(name_on(1987, 5, 4) == "振替休日");    // 5/3 on Sunday: substitute, not 国民の休日
  CHECK(name_on(1988, 5, 4) == "国民の休日");
  CHECK(name_on(1991, 5, 4) == "国民の休日");  // a Saturday is not excluded
  CHECK(name_on(1997, 5, 4) == "-");           // Sunday
  CHECK(name_on(1998, 5, 4) == "振替休日");
  CHECK(name_on(2006, 5, 4) == "国民の休日");
  CHECK(name_on(2007, 5, 4) == "みどりの日");
}

TEST_CASE("holidays: 4/29 and the emperor's birthday across three reigns") {
  CHECK(name_on(1988, 4, 29) == "天皇誕生日");
  CHECK(name_on(1988, 12, 23) == "-");
  CHECK(name_on(1989, 4, 29) == "みどりの日");
  CHECK(name_on(2006, 4, 29) == "みどりの日");
  CHECK(name_on(2007, 4, 29) == "昭和の日");
  CHECK(name_on(2018, 12, 23) == "天皇誕生日");
  CHECK(name_on(2018, 12, 24) == "振替休日");
  CHECK(name_on(2019, 2, 23) == "-");
  CHECK(name_on(2019, 12, 23) == "-");
  CHECK(name_on(2020, 2, 23) == "天皇誕生日");
  CHECK(name_on(2020, 12, 23) == "-");
}

TEST_CASE("holidays: Happy Monday from 2000 and 2003, fixed dates before") {
  CHECK(name_on(1999, 1, 15) == "成人の日");
  CHECK(name_on(2000, 1, 15) == "-");
  CHECK(name_on(2000, 1, 10) == "成人の日");
  CHECK(name_on(1999, 10, 10) == "体育の日");  // a Sunday
  CHECK(name_on(1999, 10, 11) == "振替休日");
  CHECK(name_on(2000, 10, 10) == "-");
  CHECK(name_on(2000, 10, 9) == "体育の日");
  CHECK(name_on(1995, 7, 20) == "-");  // before 海の日
  CHECK(name_on(1996, 7, 20) == "海の日");
  CHECK(name_on(2002, 7, 20) == "海の日");
  CHECK(name_on(2003, 7, 20) == "-");
  CHECK(name_on(2003, 7, 21) == "海の日");
  CHECK(name_on(2002, 9, 15) == "敬老の日");  // a Sunday
  CHECK(name_on(2002, 9, 16) == "振替休日");
  CHECK(name_on(2004, 9, 15) == "-");
  CHECK(name_on(2004, 9, 20) == "敬老の日");
  CHECK(name_on(2019, 10, 14) == "体育の日");
  CHECK(name_on(2022, 10, 10) == "スポーツの日");
  CHECK(name_on(2015, 8, 11) == "-");  // before 山の日
  CHECK(name_on(2016, 8, 11) == "山の日");
}

TEST_CASE("holidays: no October スポーツの日 and no 8/11 山の日 in the Olympic years") {
  for (int y : {2020, 2021}) {
    for (const Holiday& h : japanese_holidays(y)) {
      CHECK_FALSE(h.date.month() == October);
      CHECK_FALSE((h.date.month() == August && h.date.day() == day{11}));
    }
  }
}

TEST_CASE("holidays: equinox approximation") {
  using madoguchi::rules::autumn_equinox_day;
  using madoguchi::rules::spring_equinox_day;
  CHECK(spring_equinox_day(1980) == 20);
  CHECK(spring_equinox_day(1981) == 21);
  CHECK(spring_equinox_day(2023) == 21);
  CHECK(spring_equinox_day(2024) == 20);
  CHECK(spring_equinox_day(2092) == 19);  // the first 3/19 since 1896
  CHECK(autumn_equinox_day(1980) == 23);
  CHECK(autumn_equinox_day(2012) == 22);
  CHECK(autumn_equinox_day(2024) == 22);
  CHECK(autumn_equinox_day(2025) == 23);
  CHECK(name_on(2024, 9, 22) == "秋分の日");  // a Sunday
  CHECK(name_on(2024, 9, 23) == "振替休日");
  for (int y = 1980; y <= 2099; ++y) {
    CAPTURE(y);
    CHECK(spring_equinox_day(y) >= 19);
    CHECK(spring_equinox_day(y) <= 21);
    CHECK(autumn_equinox_day(y) >= 22);
    CHECK(autumn_equinox_day(y) <= 23);
  }
}

TEST_CASE("holidays: outside 1980-2099 nothing is computed") {
  CHECK(japanese_holidays(1979).empty());
  CHECK(japanese_holidays(2100).empty());
  CHECK_FALSE(japanese_holiday(ymd(1959, 4, 10)).has_value());  // 皇太子明仁親王の結婚の儀
  CHECK_FALSE(japanese_holiday(ymd(2100, 1, 1)).has_value());
  CHECK(name_on(1980, 11, 24) == "振替休日");  // the first day of the range is computed
  CHECK(japanese_holidays(2099).front().name == "元日");
  CHECK_FALSE(japanese_holiday(year{2026} / February / day{30}).has_value());
}

namespace {

bool national(const std::vector<Holiday>& hs, sys_days d) {
  for (const Holiday& h : hs)
    if (sys_days{h.date} == d) return h.kind == HolidayKind::national;
  return false;
}

bool any(const std::vector<Holiday>& hs, sys_days d) {
  for (const Holiday& h : hs)
    if (sys_days{h.date} == d) return true;
  return false;
}

// The number of 国民の祝日 the law gave each year (art. 2 plus the special acts), counted
// from the amendment history rather than from the code.
size_t statutory_count(int y) {
  size_t n = 12;                   // the twelve days of 1980
  if (y >= 1989) n += 1;           // 12/23 天皇誕生日 added, 4/29 kept as みどりの日
  if (y >= 1996) n += 1;           // 海の日
  if (y >= 2007) n += 1;           // 5/4 みどりの日 (4/29 becomes 昭和の日)
  if (y >= 2016) n += 1;           // 山の日
  if (y == 2019) n += 1;           // no 天皇誕生日, 即位の日 and 即位礼正殿の儀
  if (y == 1989 || y == 1990 || y == 1993) n += 1;  // the one-off days
  return n;
}

}  // namespace

TEST_CASE("holidays: invariants for every year 1980-2099") {
  for (int y = 1980; y <= 2099; ++y) {
    CAPTURE(y);
    const std::vector<Holiday> hs = japanese_holidays(y);
    REQUIRE_FALSE(hs.empty());
    size_t statutory = 0;
    std::set<std::string> names;
    for (size_t i = 0; i < hs.size(); ++i) {
      const Holiday& h = hs[i];
      const sys_days d{h.date};
      CAPTURE(iso(h.date));
      CHECK(h.date.ok());
      CHECK(h.date.year() == year{y});
      if (i > 0) CHECK(sys_days{hs[i - 1].date} < d);  // sorted, each date once
      CHECK(japanese_holiday(h.date) == h.name);
      switch (h.kind) {
        case HolidayKind::national:
          ++statutory;
          CHECK(names.insert(h.name).second);  // each 祝日 once a year
          CHECK(h.name != "振替休日");
          CHECK(h.name != "国民の休日");
          break;
        case HolidayKind::substitute: {
          CHECK(h.name == "振替休日");
          // Walk back over 祝日 to the Sunday that caused it; before 2007 only one day.
          sys_days back = d - days{1};
          REQUIRE(national(hs, back));
          if (y < 2007) {
            CHECK(weekday{back} == Sunday);
          } else {
            while (weekday{back} != Sunday) {
              back -= days{1};
              REQUIRE(national(hs, back));
            }
          }
          break;
        }
        case HolidayKind::citizens:
          CHECK(h.name == "国民の休日");
          CHECK(y >= 1986);
          CHECK(national(hs, d - days{1}));
          CHECK(national(hs, d + days{1}));
          if (y < 2007) CHECK(weekday{d} != Sunday);
          break;
      }
      // Happy Monday days are Mondays in their eras.
      if ((h.name == "成人の日" && y >= 2000) || (h.name == "体育の日" && y >= 2000) ||
          (h.name == "スポーツの日" && y >= 2022) || (h.name == "海の日" && y >= 2003 && y != 2020 && y != 2021) ||
          (h.name == "敬老の日" && y >= 2003))
        CHECK(weekday{d} == Monday);
    }
    CHECK(statutory == statutory_count(y));

    // Conversely: every Sunday 祝日 has its 振替休日 (from 2007 possibly days later), and
    // every day between two 祝日 is a holiday from 1986.
    for (const Holiday& h : hs) {
      const sys_days d{h.date};
      if (h.kind != HolidayKind::national) continue;
      if (weekday{d} == Sunday) {
        sys_days next = d + days{1};
        while (y >= 2007 && national(hs, next)) next += days{1};
        CHECK((any(hs, next) || (y < 2007 && national(hs, next))));
      }
      if (y >= 1986 && national(hs, d + days{2}) && !national(hs, d + days{1}) &&
          (y >= 2007 || weekday{d + days{1}} != Sunday))
        CHECK(any(hs, d + days{1}));
    }
    for (const char* fixed : {"元日", "建国記念の日", "春分の日", "憲法記念日", "こどもの日",
                              "秋分の日", "文化の日", "勤労感謝の日", "成人の日", "敬老の日"})
      CHECK(names.count(fixed) == 1);
  }
}

TEST_CASE("holidays: japanese_holiday agrees with the yearly list on every day") {
  for (int y : {1986, 2019, 2026, 2099}) {
    const std::vector<Holiday> hs = japanese_holidays(y);
    size_t found = 0;
    for (sys_days d = sys_days{year{y} / January / 1}; d <= sys_days{year{y} / December / 31};
         d += days{1})
      if (japanese_holiday(year_month_day{d})) ++found;
    CHECK(found == hs.size());
  }
}

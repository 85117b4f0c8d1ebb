// holidays.cpp — the holiday law as code, in three steps that mirror the act:
//   1. 国民の祝日 (art. 2) as they stood in the given year, plus the one-off days of the
//      special acts (which the 2019 act explicitly treats as 祝日 for art. 3);
//   2. 振替休日 (art. 3(2)): from 1973-04-12 the day after a Sunday 祝日; from 2007 the
//      first following day that is not a 祝日;
//   3. 国民の休日 (art. 3(3), in force from 1985-12-27): a day whose previous and next days
//      are 祝日; until 2006 it excluded Sundays and 振替休日, from 2007 only 祝日 themselves.
// Each amendment is keyed by the first year it applies to; none of them took effect on a date
// that splits a holiday of the same year (the 1989 amendment, effective 02-17, moved
// 4/29 and 12/23 only).
#include "rules/holidays.h"

#include <algorithm>

namespace madoguchi::rules {

namespace {

using namespace std::chrono;

sys_days ymd(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / day{d}}; }

// The n-th Monday of a month: the Happy Monday system.
sys_days nth_monday(int y, unsigned m, unsigned n) {
  return sys_days{year{y} / month{m} / weekday_indexed{Monday, n}};
}

struct Entry {
  sys_days day;
  std::string name;
  HolidayKind kind;
};

// Step 1: art. 2 (and the special acts) as in force in `y`.
std::vector<Entry> national_holidays(int y) {
  std::vector<Entry> out;
  auto add = [&](sys_days d, const char* name) {
    out.push_back({d, name, HolidayKind::national});
  };

  add(ymd(y, 1, 1), "元日");
  // Happy Monday (Act No. 8 of 1998) from 2000.
  add(y >= 2000 ? nth_monday(y, 1, 2) : ymd(y, 1, 15), "成人の日");
  add(ymd(y, 2, 11), "建国記念の日");
  // 天皇誕生日 follows the reigning emperor: Shōwa 4/29 until 1988, Heisei 12/23 1989-2018,
  // none in 2019 (the abdication was 4/30), Reiwa 2/23 from 2020.
  if (y >= 2020) add(ymd(y, 2, 23), "天皇誕生日");
  add(ymd(y, 3, spring_equinox_day(y)), "春分の日");
  if (y <= 1988)
    add(ymd(y, 4, 29), "天皇誕生日");
  else if (y <= 2006)
    add(ymd(y, 4, 29), "みどりの日");
  else
    add(ymd(y, 4, 29), "昭和の日");  // Act No. 43 of 2005; みどりの日 moved to 5/4
  add(ymd(y, 5, 3), "憲法記念日");
  if (y >= 2007) add(ymd(y, 5, 4), "みどりの日");
  add(ymd(y, 5, 5), "こどもの日");

  // 海の日: 7/20 from 1996, third Monday of July from 2003; Olympic moves in 2020 and 2021
  // (Act No. 55 of 2018, Act No. 68 of 2020).
  if (y == 2020)
    add(ymd(y, 7, 23), "海の日");
  else if (y == 2021)
    add(ymd(y, 7, 22), "海の日");
  else if (y >= 2003)
    add(nth_monday(y, 7, 3), "海の日");
  else if (y >= 1996)
    add(ymd(y, 7, 20), "海の日");

  // 山の日 from 2016 on 8/11; Olympic moves in 2020 and 2021.
  if (y == 2020)
    add(ymd(y, 8, 10), "山の日");
  else if (y == 2021)
    add(ymd(y, 8, 8), "山の日");
  else if (y >= 2016)
    add(ymd(y, 8, 11), "山の日");

  // 敬老の日: 9/15 until 2002, third Monday of September from 2003.
  add(y >= 2003 ? nth_monday(y, 9, 3) : ymd(y, 9, 15), "敬老の日");
  add(ymd(y, 9, autumn_equinox_day(y)), "秋分の日");

  // 体育の日 10/10 until 1999, second Monday of October 2000-2019; renamed スポーツの日 from
  // 2020, which was moved to July in 2020 and 2021.
  if (y == 2020)
    add(ymd(y, 7, 24), "スポーツの日");
  else if (y == 2021)
    add(ymd(y, 7, 23), "スポーツの日");
  else if (y >= 2020)
    add(nth_monday(y, 10, 2), "スポーツの日");
  else if (y >= 2000)
    add(nth_monday(y, 10, 2), "体育の日");
  else
    add(ymd(y, 10, 10), "体育の日");

  add(ymd(y, 11, 3), "文化の日");
  add(ymd(y, 11, 23), "勤労感謝の日");
  if (y >= 1989 && y <= 2018) add(ymd(y, 12, 23), "天皇誕生日");

  // One-off days, each by its own act.
  if (y == 1989) add(ymd(1989, 2, 24), "昭和天皇の大喪の礼");
  if (y == 1990) add(ymd(1990, 11, 12), "即位礼正殿の儀");
  if (y == 1993) add(ymd(1993, 6, 9), "皇太子徳仁親王の結婚の儀");
  if (y == 2019) {
    add(ymd(2019, 5, 1), "即位の日");
    add(ymd(2019, 10, 22), "即位礼正殿の儀");
  }

  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.day < b.day; });
  return out;
}

bool contains(const std::vector<Entry>& v, sys_days d) {
  return std::any_of(v.begin(), v.end(), [d](const Entry& e) { return e.day == d; });
}

// Integer form of floor(C + 0.242194 (Y-1980) - floor((Y-1980)/4)) with C in millionths,
// so that no floating-point rounding can move a day.
unsigned equinox_day(int year, long long c_millionths) {
  const long long n = year - 1980;
  const long long quarter = n >= 0 ? n / 4 : -((-n + 3) / 4);  // floor
  const long long v = c_millionths + 242194LL * n - 1000000LL * quarter;
  return static_cast<unsigned>(v / 1000000LL);  // v > 0 for 1980-2099
}

}  // namespace

unsigned spring_equinox_day(int year) { return equinox_day(year, 20843100); }
unsigned autumn_equinox_day(int year) { return equinox_day(year, 23248800); }

std::vector<Holiday> japanese_holidays(int year) {
  if (!holidays_supported(year)) return {};
  const std::vector<Entry> national = national_holidays(year);
  std::vector<Entry> all = national;
  const bool since_2007 = year >= 2007;

  // Step 2: 振替休日.
  std::vector<Entry> substitutes;
  for (const Entry& h : national) {
    if (weekday{h.day} != Sunday) continue;
    sys_days d = h.day + days{1};
    if (since_2007) {
      while (contains(national, d)) d += days{1};
    } else if (contains(national, d)) {
      continue;  // before 2007 only the Monday itself could be the substitute
    }
    substitutes.push_back({d, "振替休日", HolidayKind::substitute});
  }
  all.insert(all.end(), substitutes.begin(), substitutes.end());

  // Step 3: 国民の休日, in force from 1985-12-27 (no candidate day fell in 1985 after it).
  if (year >= 1986) {
    for (const Entry& h : national) {
      const sys_days d = h.day + days{1};
      if (!contains(national, d + days{1}) || contains(national, d)) continue;
      if (contains(substitutes, d)) continue;  // already a holiday (and excluded before 2007)
      if (!since_2007 && weekday{d} == Sunday) continue;
      all.push_back({d, "国民の休日", HolidayKind::citizens});
    }
  }

  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.day < b.day; });
  std::vector<Holiday> out;
  out.reserve(all.size());
  for (Entry& e : all) out.push_back({year_month_day{e.day}, std::move(e.name), e.kind});
  return out;
}

std::optional<std::string> japanese_holiday(Date d) {
  if (!d.ok()) return std::nullopt;
  for (Holiday& h : japanese_holidays(static_cast<int>(d.year())))
    if (h.date == d) return std::move(h.name);
  return std::nullopt;
}

}  // namespace madoguchi::rules

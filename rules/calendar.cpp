// calendar.cpp — BusinessCalendar: the desk's open days and hours in local time (UTC plus a
// fixed offset), walked one local day at a time. Holidays are computed once per calendar for
// 1980-2099 so that the day walk is a binary search, not a recomputation of the law.
#include "rules/calendar.h"

#include <algorithm>
#include <stdexcept>

namespace madoguchi::rules {

using namespace std::chrono;

namespace {

// Ten years of days: far beyond any real closure, short enough to fail fast on a calendar
// that never opens.
constexpr int max_days_searched = 3660;

// Month-day as a comparable number: 1231 for 12-31.
unsigned key(unsigned month, unsigned day) { return month * 100 + day; }

bool in_range(const ClosedRange& r, const year_month_day& d) {
  const unsigned k = key(static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  const unsigned from = key(r.from.month, r.from.day);
  const unsigned to = key(r.to.month, r.to.day);
  if (from <= to) return k >= from && k <= to;
  return k >= from || k <= to;  // wraps the year end
}

bool contains(const std::vector<Date>& dates, const year_month_day& d) {
  return std::find(dates.begin(), dates.end(), d) != dates.end();
}

}  // namespace

std::string japanese_weekday(weekday wd, bool short_form) {
  static const char* const names[7] = {"日", "月", "火", "水", "木", "金", "土"};
  std::string s = names[wd.c_encoding()];
  if (!short_form) s += "曜日";
  return s;
}

BusinessCalendar::BusinessCalendar(CalendarSpec spec) : spec_(std::move(spec)) {
  if (spec_.open_minute < 0 || spec_.close_minute > 24 * 60 ||
      spec_.open_minute >= spec_.close_minute)
    throw std::invalid_argument("business calendar: need 0 <= open < close <= 24:00");
  for (int y = first_holiday_year; y <= last_holiday_year; ++y)
    for (Holiday& h : japanese_holidays(y)) holidays_.emplace_back(sys_days{h.date}, std::move(h.name));
}

Date BusinessCalendar::local_date(sys_seconds t) const {
  return year_month_day{floor<days>(t + spec_.utc_offset)};
}

sys_seconds BusinessCalendar::at(sys_days local_day, int minute) const {
  return sys_seconds{local_day} + minutes{minute} - spec_.utc_offset;
}

std::vector<std::string> BusinessCalendar::closed_reasons(Date local_date) const {
  std::vector<std::string> out;
  if (!local_date.ok() || contains(spec_.open_dates, local_date)) return out;
  if (contains(spec_.closed_dates, local_date)) out.emplace_back("弊社指定日");
  for (const ClosedRange& r : spec_.closed_ranges)
    if (in_range(r, local_date)) out.push_back(r.name);
  if (spec_.national_holidays_closed)
    if (const std::string* name = holiday_name(sys_days{local_date})) out.push_back(*name);
  const weekday wd{sys_days{local_date}};
  if (!spec_.open_weekdays[wd.c_encoding()]) out.push_back(japanese_weekday(wd));
  return out;
}

std::optional<std::string> BusinessCalendar::closed_reason(Date local_date) const {
  std::vector<std::string> reasons = closed_reasons(local_date);
  if (reasons.empty()) return std::nullopt;
  return std::move(reasons.front());
}

const std::string* BusinessCalendar::holiday_name(sys_days day) const {
  auto it = std::lower_bound(holidays_.begin(), holidays_.end(), day,
                             [](const auto& h, sys_days d) { return h.first < d; });
  return it != holidays_.end() && it->first == day ? &it->second : nullptr;
}

bool BusinessCalendar::open_day(sys_days local_day) const {
  const year_month_day d{local_day};
  if (contains(spec_.open_dates, d)) return true;
  if (!spec_.open_weekdays[weekday{local_day}.c_encoding()]) return false;
  if (contains(spec_.closed_dates, d)) return false;
  for (const ClosedRange& r : spec_.closed_ranges)
    if (in_range(r, d)) return false;
  if (spec_.national_holidays_closed && holiday_name(local_day) != nullptr)
    return false;
  return true;
}

sys_days BusinessCalendar::first_open_day(sys_days from) const {
  for (int i = 0; i < max_days_searched; ++i, from += days{1})
    if (open_day(from)) return from;
  throw std::runtime_error("business calendar: no open day within ten years");
}

bool BusinessCalendar::is_open(sys_seconds t) const {
  const sys_seconds local = t + spec_.utc_offset;
  const sys_days day = floor<days>(local);
  const seconds tod = local - sys_seconds{day};
  return tod >= minutes{spec_.open_minute} && tod < minutes{spec_.close_minute} && open_day(day);
}

sys_seconds BusinessCalendar::next_open(sys_seconds t) const {
  const sys_seconds local = t + spec_.utc_offset;
  const sys_days day = floor<days>(local);
  const seconds tod = local - sys_seconds{day};
  if (tod < minutes{spec_.close_minute} && open_day(day))
    return tod < minutes{spec_.open_minute} ? at(day, spec_.open_minute) : t;
  return at(first_open_day(day + days{1}), spec_.open_minute);
}

sys_seconds BusinessCalendar::add_business_time(sys_seconds t, minutes d) const {
  if (d < minutes{0}) throw std::invalid_argument("add_business_time: negative duration");
  sys_seconds cur = next_open(t);
  seconds left = d;
  for (;;) {
    const sys_days day = floor<days>(cur + spec_.utc_offset);
    const sys_seconds close = at(day, spec_.close_minute);
    if (left <= close - cur) return cur + left;
    left -= close - cur;
    cur = at(first_open_day(day + days{1}), spec_.open_minute);
  }
}

sys_seconds BusinessCalendar::add_business_days(sys_seconds t, int n) const {
  if (n < 0) throw std::invalid_argument("add_business_days: negative count");
  const sys_seconds start = next_open(t);
  const sys_seconds local = start + spec_.utc_offset;
  sys_days day = floor<days>(local);
  const seconds tod = local - sys_seconds{day};
  for (int i = 0; i < n; ++i) day = first_open_day(day + days{1});
  return sys_seconds{day} + tod - spec_.utc_offset;
}

}  // namespace madoguchi::rules

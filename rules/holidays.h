// holidays.h — Japanese national holidays, computed from 国民の祝日に関する法律 (Act No. 178
// of 1948 as amended) and the special acts of 1989, 1990, 1993, 2019, 2020 and 2021.
//
// Why computed and not a table: the desks must be right for every year they will run in,
// and the Cabinet Office list only reaches next year. The law is short and stable; the
// only approximation is the equinox formula, the one used for the official predictions.
// Supported years: 1980-2099 (the range of that formula). Outside it nothing is returned:
// callers that care check holidays_supported(year).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::rules {

using Date = std::chrono::year_month_day;

// What made the day a holiday; the law treats the kinds differently (振替休日 and 国民の休日
// are triggered only by kind `national`).
enum class HolidayKind {
  national,     // 国民の祝日 (art. 2), and the special days the acts treat as such
  substitute,   // 振替休日 (art. 3(2))
  citizens,     // 国民の休日 (art. 3(3)): a day between two 国民の祝日
};

struct Holiday {
  Date date;
  std::string name;  // official Japanese name, e.g. "振替休日", "スポーツの日"
  HolidayKind kind = HolidayKind::national;
};

inline constexpr int first_holiday_year = 1980;
inline constexpr int last_holiday_year = 2099;

// True for 1980-2099, the years for which japanese_holidays() is defined.
constexpr bool holidays_supported(int year) {
  return year >= first_holiday_year && year <= last_holiday_year;
}

// All holidays of `year` in date order, each date once. Empty outside 1980-2099.
std::vector<Holiday> japanese_holidays(int year);

// The holiday's name on `d`, or nullopt (also for invalid dates and unsupported years).
std::optional<std::string> japanese_holiday(Date d);

// Day of March (spring) / September (autumn) of the equinox holiday in `year` (1980-2099),
// by the approximation floor(C + 0.242194 (Y-1980) - floor((Y-1980)/4)).
unsigned spring_equinox_day(int year);
unsigned autumn_equinox_day(int year);

}  // namespace madoguchi::rules

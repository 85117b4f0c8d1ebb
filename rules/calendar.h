// calendar.h — a desk's business calendar: when the desk is open, when it next opens, and
// when a reply is due N business hours or days after an instant (SPEC §7).
//
// Pure: every function takes the instant as a parameter and no file, clock or time-zone
// database is read. Instants are UTC (`sys_seconds`); a desk's local time is UTC plus a
// fixed offset, because the only supported zone, Asia/Tokyo, has had no DST since 1951
// (and GCC 12's libstdc++ has no tzdb anyway). National holidays are known for 1980-2099
// only (holidays.h); outside that range only weekdays, ranges and listed dates close a day.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/config_reader.h"
#include "rules/holidays.h"

namespace madoguchi::rules {

struct MonthDay {
  unsigned month = 1;
  unsigned day = 1;
};

// Inclusive on both ends; wraps the year end when `to` comes before `from` (12-29..01-03).
struct ClosedRange {
  MonthDay from;
  MonthDay to;
  std::string name;  // shown as the closing reason, e.g. "年末年始"
};

// Asia/Tokyo: +09:00, no DST since 1951. The one offset for times shown to Japanese readers
// (mail, logs' ISO dates, the CLI) where no desk's calendar is at hand.
inline constexpr std::chrono::minutes kJapanOffset{9 * 60};

struct CalendarSpec {
  std::array<bool, 7> open_weekdays{false, true, true, true, true, true, false};  // 0 = Sunday
  int open_minute = 9 * 60;    // minutes after local midnight
  int close_minute = 17 * 60;  // exclusive; may be 24 * 60
  bool national_holidays_closed = true;
  std::vector<ClosedRange> closed_ranges{{{12, 29}, {1, 3}, "年末年始"}};
  std::vector<Date> closed_dates;  // 弊社指定日
  std::vector<Date> open_dates;    // extra open days; override every closure, even weekends
  std::chrono::minutes utc_offset = kJapanOffset;
};

// Reads a desk's `hours:` mapping into `out` (schema in the desk files: days, open, close,
// time_zone, national_holidays, year_end, closed_dates, open_dates). Records every error with
// file:line:column in `reader`; returns false when any was found (then `out` is unspecified).
bool parse_calendar_spec(const YAML::Node& hours, ConfigReader& reader, CalendarSpec& out);

// Answers the business-hours questions for one desk. Immutable after construction, so one
// instance can be shared between threads.
class BusinessCalendar {
 public:
  // Throws std::invalid_argument when open/close are out of 0..1440 or open >= close.
  explicit BusinessCalendar(CalendarSpec spec);

  // True when `t` is inside the hours [open, close) of an open local day.
  bool is_open(std::chrono::sys_seconds t) const;

  // `t` itself when open, else the start of the next open period. Throws std::runtime_error
  // when no day is open within about ten years (a calendar with no open day at all).
  std::chrono::sys_seconds next_open(std::chrono::sys_seconds t) const;

  // The instant at which `d` (>= 0) of open time has elapsed, counted from next_open(t).
  // The result may be a closing instant: 09:00 + 8h on a 9-17 desk is 17:00 the same day.
  // Throws std::invalid_argument for a negative `d`.
  std::chrono::sys_seconds add_business_time(std::chrono::sys_seconds t,
                                             std::chrono::minutes d) const;

  // Let s = next_open(t): the same local time-of-day as s on the n-th open day after s's day
  // (n = 0 gives s). Friday 15:00 + 1 = Monday 15:00; Saturday 12:00 + 1 = Tuesday at the
  // opening time (s is Monday's opening). Throws std::invalid_argument for a negative `n`.
  std::chrono::sys_seconds add_business_days(std::chrono::sys_seconds t, int n) const;

  // Why the desk is closed all of `local_date`, or nullopt when it opens that day. Only the
  // first reason: closed_reasons() gives them all.
  std::optional<std::string> closed_reason(Date local_date) const;

  // Every reason, most desk-specific first: "弊社指定日", the closed range's name ("年末年始"),
  // the national holiday's name, the weekday ("日曜日"). Empty when open (open_dates win).
  std::vector<std::string> closed_reasons(Date local_date) const;

  // The local calendar date of an instant in this desk's zone.
  Date local_date(std::chrono::sys_seconds t) const;

  const CalendarSpec& spec() const { return spec_; }

 private:
  bool open_day(std::chrono::sys_days local_day) const;
  // The national holiday on `day`, or nullptr.
  const std::string* holiday_name(std::chrono::sys_days day) const;
  // UTC instant of `minute` after local midnight of `local_day`.
  std::chrono::sys_seconds at(std::chrono::sys_days local_day, int minute) const;
  // First open local day on or after `from`; throws when there is none within the limit.
  std::chrono::sys_days first_open_day(std::chrono::sys_days from) const;

  CalendarSpec spec_;
  // National holidays 1980-2099 by day, sorted; computed once from the law.
  std::vector<std::pair<std::chrono::sys_days, std::string>> holidays_;
};

// "2026-11-24T10:00:00+09:00": local time at `offset` and the offset itself ("+00:00" for UTC).
std::string format_iso8601(std::chrono::sys_seconds t, std::chrono::minutes offset);

// "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z" or "±HH:MM" (or "±HHMM"); 't'/'z' and a
// space instead of 'T' are accepted. Without an offset the time is Asia/Tokyo (+09:00), the
// only zone madoguchi supports. Fractions are truncated. Nullopt for anything else.
std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text);

// "11月24日(火) 09:00" for Japanese templates: month and day unpadded, hours and minutes two
// digits (so that 09:46 and 10:00 line up in a list).
std::string format_japanese(std::chrono::sys_seconds t, std::chrono::minutes offset);

// "日曜日" … "土曜日" for a weekday; the one-character form "日" … "土" with short = true.
std::string japanese_weekday(std::chrono::weekday wd, bool short_form = false);

}  // namespace madoguchi::rules

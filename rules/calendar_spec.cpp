// calendar_spec.cpp — the desk YAML `hours:` mapping -> CalendarSpec. Strict like every
// operator-edited section: unknown keys, malformed times and dates, a close not after open,
// a date both closed and open and any zone but Asia/Tokyo are errors with file:line:column,
// all collected in one pass so `madoguchi check` lists them together.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "rules/calendar.h"

namespace madoguchi::rules {

using namespace std::chrono;

namespace {

YAML::Node child(const YAML::Node& map, const char* key) {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[key];
}

bool number(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && s.front() != '-' && s.front() != '+';
}

// "H:MM" or "HH:MM" -> minutes after midnight; "24:00" only when `allow_24`.
std::optional<int> parse_clock(std::string_view s, bool allow_24) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3)
    return std::nullopt;
  int h = 0, m = 0;
  if (!number(s.substr(0, colon), h) || !number(s.substr(colon + 1), m)) return std::nullopt;
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 24 * 60;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

// "YYYY-MM-DD" -> a valid date.
std::optional<Date> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !number(s.substr(0, 4), y) ||
      !number(s.substr(5, 2), m) || !number(s.substr(8, 2), d))
    return std::nullopt;
  const Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// "MM-DD" -> a month-day that exists in some year (02-29 allowed).
std::optional<MonthDay> parse_month_day(std::string_view s) {
  int m = 0, d = 0;
  if (s.size() != 5 || s[2] != '-' || !number(s.substr(0, 2), m) || !number(s.substr(3, 2), d))
    return std::nullopt;
  const year_month_day probe{year{2000}, month{static_cast<unsigned>(m)},
                             day{static_cast<unsigned>(d)}};  // 2000 is a leap year
  if (!probe.ok()) return std::nullopt;
  return MonthDay{static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

std::string fmt_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// A list of dates under `key`; each bad item is an error at that item.
std::vector<Date> date_list(const YAML::Node& hours, const char* key, ConfigReader& reader) {
  std::vector<Date> out;
  const YAML::Node list = child(hours, key);
  if (!list.IsDefined() || list.IsNull()) return out;
  if (!list.IsSequence()) {
    reader.error(list, std::string("'") + key + "' must be a list of dates (YYYY-MM-DD)");
    return out;
  }
  for (const YAML::Node& item : list) {
    std::optional<Date> d;
    if (item.IsScalar()) d = parse_date(item.Scalar());
    if (!d) {
      reader.error(item, std::string("items of '") + key + "' must be dates YYYY-MM-DD");
      continue;
    }
    if (std::find(out.begin(), out.end(), *d) != out.end()) {
      reader.error(item, "date " + fmt_date(*d) + " listed twice in '" + key + "'");
      continue;
    }
    out.push_back(*d);
  }
  return out;
}

}  // namespace

bool parse_calendar_spec(const YAML::Node& hours, ConfigReader& reader, CalendarSpec& out) {
  const size_t errors_before = reader.errors().size();
  if (!reader.expect_map(hours, "'hours'")) return false;
  reader.check_keys(hours, {"days", "open", "close", "time_zone", "national_holidays",
                            "year_end", "closed_dates", "open_dates"});
  CalendarSpec spec;

  // days: [mon, …]; default mon-fri.
  if (const YAML::Node days_node = child(hours, "days");
      days_node.IsDefined() && !days_node.IsNull()) {
    static const char* const names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    spec.open_weekdays.fill(false);
    if (!days_node.IsSequence() || days_node.size() == 0) {
      reader.error(days_node, "'days' must be a non-empty list of sun, mon, tue, wed, thu, fri, sat");
    } else {
      for (const YAML::Node& item : days_node) {
        const std::string name = item.IsScalar() ? item.Scalar() : std::string();
        const auto it = std::find(std::begin(names), std::end(names), name);
        if (it == std::end(names)) {
          reader.error(item, "unknown day '" + name + "' (expected sun, mon, tue, wed, thu, fri, sat)");
        } else if (spec.open_weekdays[it - std::begin(names)]) {
          reader.error(item, "day '" + name + "' listed twice");
        } else {
          spec.open_weekdays[it - std::begin(names)] = true;
        }
      }
    }
  }

  // open / close: required "HH:MM", close exclusive and after open.
  const auto open_text = reader.string(hours, "open", true);
  const auto close_text = reader.string(hours, "close", true);
  std::optional<int> open_min, close_min;
  if (open_text && !(open_min = parse_clock(*open_text, false)))
    reader.error(child(hours, "open"), "'open' must be a time HH:MM (00:00-23:59)");
  if (close_text && !(close_min = parse_clock(*close_text, true)))
    reader.error(child(hours, "close"), "'close' must be a time HH:MM (00:01-24:00)");
  if (open_min && close_min) {
    if (*close_min <= *open_min)
      reader.error(child(hours, "close"), "'close' (" + *close_text + ") must be after 'open' (" +
                                              *open_text + ")");
    spec.open_minute = *open_min;
    spec.close_minute = *close_min;
  }

  if (const auto tz = reader.string(hours, "time_zone"); tz && *tz != "Asia/Tokyo")
    reader.error(child(hours, "time_zone"),
                 "unsupported time_zone '" + *tz + "' (only Asia/Tokyo is supported)");

  if (const auto nh = reader.string(hours, "national_holidays")) {
    if (*nh == "closed")
      spec.national_holidays_closed = true;
    else if (*nh == "open")
      spec.national_holidays_closed = false;
    else
      reader.error(child(hours, "national_holidays"), "'national_holidays' must be closed or open");
  }

  // year_end: {from: "MM-DD", to: "MM-DD"} or `none`; default 12-29..01-03.
  if (const YAML::Node ye = child(hours, "year_end"); ye.IsDefined()) {
    if (ye.IsScalar() && ye.Scalar() == "none") {
      spec.closed_ranges.clear();
    } else if (ye.IsMap()) {
      reader.check_keys(ye, {"from", "to"});
      const auto from_text = reader.string(ye, "from", true);
      const auto to_text = reader.string(ye, "to", true);
      std::optional<MonthDay> from, to;
      if (from_text && !(from = parse_month_day(*from_text)))
        reader.error(child(ye, "from"), "'from' must be a month-day MM-DD");
      if (to_text && !(to = parse_month_day(*to_text)))
        reader.error(child(ye, "to"), "'to' must be a month-day MM-DD");
      if (from && to) spec.closed_ranges = {{*from, *to, "年末年始"}};
    } else {
      reader.error(ye, "'year_end' must be {from: MM-DD, to: MM-DD} or none");
    }
  }

  spec.closed_dates = date_list(hours, "closed_dates", reader);
  spec.open_dates = date_list(hours, "open_dates", reader);
  if (const YAML::Node open = child(hours, "open_dates"); open.IsDefined() && open.IsSequence()) {
    for (const YAML::Node& item : open) {
      const std::optional<Date> d = item.IsScalar() ? parse_date(item.Scalar()) : std::nullopt;
      if (d && std::find(spec.closed_dates.begin(), spec.closed_dates.end(), *d) !=
                   spec.closed_dates.end())
        reader.error(item, "date " + fmt_date(*d) + " is in both 'closed_dates' and 'open_dates'");
    }
  }

  if (reader.errors().size() != errors_before) return false;
  out = std::move(spec);
  return true;
}

}  // namespace madoguchi::rules

// cmd_calendar.cpp — `madoguchi calendar`: lets operators see what the business calendar
// decides (holidays, a desk's next opening, a due time, a month) without running the daemon,
// so a desk's `hours:` can be checked before customers are told those times.
//
// The calendar itself is pure (rules/calendar.h); the desk comes from the same loader the
// daemon uses, so what this prints is what the daemon decides. Exit codes: 0 ok, 1
// configuration problem or unknown desk, 2 bad option values.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "daemon/cli/cli.h"
#include "daemon/server/runtime.h"
#include "rules/calendar.h"
#include "rules/holidays.h"

namespace madoguchi::daemon {
namespace {

using namespace std::chrono;

struct CalendarOptions {
  ConfigOption config;
  int from = 0;
  std::optional<int> to;  // default: from
  std::string desk;
  std::string at;
  std::string month;
  int business_hours = -1;
  int business_days = -1;
};

int usage_error(const std::string& message) {
  std::cerr << "madoguchi calendar: " << message << "\n";
  return exit_usage;
}

void print_errors(const rules::ConfigErrors& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << "\n";
}

std::string iso_date(const year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string clock_text(int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// A desk name becomes a file name: keep it to one plain path component.
bool valid_desk_name(const std::string& name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// The desk's calendar, from the desks the daemon loads (server/runtime.h); prints the problem
// and returns the exit code on failure.
std::optional<int> load_desk_hours(const CalendarOptions& o, rules::CalendarSpec& out) {
  if (!valid_desk_name(o.desk)) return usage_error("invalid desk name '" + o.desk + "'");
  rules::ConfigErrors errors;
  const auto config = load_main_config(o.config.resolved(), errors);
  std::shared_ptr<const rules::Policy> policy;
  if (config) policy = load_policy(*config, errors);
  if (!policy) {
    print_errors(errors);
    return exit_failure;
  }
  const rules::Desk* desk = policy->desk(o.desk);
  if (!desk) {
    std::string known;
    for (const auto& d : policy->desks()) known += (known.empty() ? "" : ", ") + d.id;
    std::cerr << "madoguchi calendar: unknown desk '" << o.desk << "' (desks: " << (known.empty() ? "none" : known)
              << ")\n";
    return exit_failure;
  }
  out = desk->hours;
  return std::nullopt;
}

// --at, or the current time when absent; nullopt after printing a usage error.
std::optional<sys_seconds> instant(const CalendarOptions& o) {
  if (o.at.empty()) return floor<seconds>(system_clock::now());
  const auto t = rules::parse_iso8601(o.at);
  if (!t) {
    usage_error("--at: '" + o.at + "' is not ISO 8601 (e.g. 2026-11-24T10:00:00+09:00)");
    return std::nullopt;
  }
  return t;
}

// The year of `t` on the desk's clock (not UTC: 2100-01-01T00:00+09:00 is 2100 in Tokyo).
bool instant_supported(sys_seconds t, const rules::CalendarSpec& spec) {
  const int y = static_cast<int>(year_month_day{floor<days>(t + spec.utc_offset)}.year());
  return rules::holidays_supported(y);
}

int run_holidays(const CalendarOptions& o) {
  const int to = o.to.value_or(o.from);
  if (!rules::holidays_supported(o.from) || !rules::holidays_supported(to))
    return usage_error("--from/--to: holidays are computed for 1980-2099 only");
  if (o.from > to) return usage_error("--from must not be after --to");
  for (int y = o.from; y <= to; ++y)
    for (const auto& h : rules::japanese_holidays(y))
      std::cout << iso_date(h.date) << '\t' << h.name << '\n';
  return exit_ok;
}

// Runs `f(calendar, t)` for a desk, mapping load failures and never-opening calendars to
// exit codes.
template <typename F>
int with_desk(const CalendarOptions& o, F&& f) {
  const auto t = instant(o);
  if (!t) return exit_usage;
  rules::CalendarSpec spec;
  if (auto rc = load_desk_hours(o, spec)) return *rc;
  if (!instant_supported(*t, spec)) return usage_error("--at: holidays are computed for 1980-2099 only");
  try {
    const rules::BusinessCalendar calendar(spec);
    return f(calendar, *t);
  } catch (const std::exception& e) {
    std::cerr << "madoguchi calendar: desk '" << o.desk << "': " << e.what() << "\n";
    return exit_failure;
  }
}

int run_next_open(const CalendarOptions& o) {
  return with_desk(o, [](const rules::BusinessCalendar& c, sys_seconds t) {
    std::cout << rules::format_iso8601(c.next_open(t), c.spec().utc_offset) << '\n';
    return exit_ok;
  });
}

int run_due(const CalendarOptions& o) {
  if ((o.business_hours < 0) == (o.business_days < 0))
    return usage_error("give exactly one of --business-hours N and --business-days N (N >= 0)");
  // Far beyond any service target; keeps a typo from walking the calendar for minutes.
  if (o.business_hours > 100000 || o.business_days > 10000)
    return usage_error("--business-hours is limited to 100000 and --business-days to 10000");
  return with_desk(o, [&o](const rules::BusinessCalendar& c, sys_seconds t) {
    const sys_seconds due = o.business_hours >= 0
                                ? c.add_business_time(t, hours{o.business_hours})
                                : c.add_business_days(t, o.business_days);
    std::cout << rules::format_iso8601(due, c.spec().utc_offset) << '\n';
    return exit_ok;
  });
}

// This month in Japan, "YYYY-MM".
std::string this_month() {
  const year_month_day today{floor<days>(std::chrono::system_clock::now() + std::chrono::hours(9))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(today.year()), static_cast<unsigned>(today.month()));
  return buf;
}

int run_show(const CalendarOptions& o) {
  const std::string t = o.month.empty() ? this_month() : o.month;
  const auto digit = [&t](size_t i) { return std::isdigit(static_cast<unsigned char>(t[i])) != 0; };
  if (t.size() != 7 || t[4] != '-' || !digit(0) || !digit(1) || !digit(2) || !digit(3) ||
      !digit(5) || !digit(6))
    return usage_error("--month: '" + t + "' is not YYYY-MM");
  const int y = std::stoi(t.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(t.substr(5, 2)));
  if (m < 1 || m > 12) return usage_error("--month: '" + t + "' is not YYYY-MM");
  if (!rules::holidays_supported(y))
    return usage_error("--month: holidays are computed for 1980-2099 only");

  rules::CalendarSpec spec;
  if (auto rc = load_desk_hours(o, spec)) return *rc;
  const rules::BusinessCalendar c(spec);
  const year_month ym{year{y}, month{m}};
  const sys_days first{ym / 1};
  const sys_days last{ym / std::chrono::last};
  std::string lines;
  int open_days = 0;
  for (sys_days d = first; d <= last; d += days{1}) {
    const year_month_day date{d};
    const auto reasons = c.closed_reasons(date);
    std::string line = iso_date(date) + " " + rules::japanese_weekday(weekday{d}, true) + "  ";
    if (reasons.empty()) {
      ++open_days;
      line += "open    " + clock_text(spec.open_minute) + "-" + clock_text(spec.close_minute);
      if (const auto h = rules::japanese_holiday(date)) line += "  (" + *h + ")";
    } else {
      line += "closed  ";
      for (size_t i = 0; i < reasons.size(); ++i) line += (i ? "・" : "") + reasons[i];
    }
    lines += line + "\n";
  }
  char head[64];
  std::snprintf(head, sizeof head, "%04d-%02u", y, m);
  std::cout << o.desk << " " << head << ": " << clock_text(spec.open_minute) << "-"
            << clock_text(spec.close_minute) << " Asia/Tokyo, " << open_days << " open days\n"
            << lines;
  return exit_ok;
}

}  // namespace

Subcommand add_calendar_command(CLI::App& root) {
  auto o = std::make_shared<CalendarOptions>();
  auto* app = root.add_subcommand(
      "calendar", "business calendar: Japanese holidays, a desk's next opening and due times");
  app->require_subcommand(1);
  app->fallthrough();  // `calendar --config F show` as well as `calendar show --config F`
  add_config_option(*app, o->config);

  auto* holidays = app->add_subcommand("holidays", "print Japanese national holidays (1980-2099)");
  holidays->add_option("--from", o->from, "first year (YYYY)")->required();
  holidays->add_option("--to", o->to, "last year (YYYY; default: --from)");

  auto desk_options = [&o](CLI::App* sub) {
    sub->add_option("--desk", o->desk, "desk name (a file <desks>/<DESK>.yaml)")->required();
    add_config_option(*sub, o->config);
  };
  auto* next_open = app->add_subcommand("next-open", "print the desk's next opening");
  desk_options(next_open);
  next_open->add_option("--at", o->at,
                        "ISO 8601 instant, any offset; no offset = +09:00 (default: now)");

  auto* due = app->add_subcommand("due", "print the instant N business hours or days later");
  desk_options(due);
  due->add_option("--at", o->at, "ISO 8601 instant, any offset; no offset = +09:00 (default: now)");
  auto* bh = due->add_option("--business-hours", o->business_hours, "N business hours");
  auto* bd = due->add_option("--business-days", o->business_days,
                             "N business days (same time of day on the N-th open day)");
  bh->excludes(bd);

  auto* show = app->add_subcommand("show", "print a month of the desk's calendar");
  desk_options(show);
  show->add_option("--month", o->month, "YYYY-MM (default: this month, Japan time)");

  return {app, [o, holidays, next_open, due, show] {
            if (holidays->parsed()) return run_holidays(*o);
            if (next_open->parsed()) return run_next_open(*o);
            if (due->parsed()) return run_due(*o);
            if (show->parsed()) return run_show(*o);
            return exit_usage;
          }};
}

}  // namespace madoguchi::daemon

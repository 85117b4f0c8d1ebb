// calendar_format.cpp — instants as text: ISO 8601 with an explicit offset for machines and
// logs, and the short Japanese form used in acknowledgements. Hand-written because GCC 12
// has no std::format / chrono parse, and because accepting exactly one grammar keeps
// `--at` unambiguous.
#include <cstdio>

#include "rules/calendar.h"

namespace madoguchi::rules {

using namespace std::chrono;

namespace {

struct LocalParts {
  year_month_day date;
  hh_mm_ss<seconds> time;
};

LocalParts split(sys_seconds t, minutes offset) {
  const sys_seconds local = t + offset;
  const sys_days day = floor<days>(local);
  return {year_month_day{day}, hh_mm_ss<seconds>{local - sys_seconds{day}}};
}

// Reads exactly `n` ASCII digits at `pos`.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool literal(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string format_iso8601(sys_seconds t, minutes offset) {
  const LocalParts p = split(t, offset);
  const long off = offset.count() < 0 ? -offset.count() : offset.count();
  // Sized for the widest values the types allow, so -O3's format-truncation check is quiet.
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02ld:%02ld",
                static_cast<int>(p.date.year()), static_cast<unsigned>(p.date.month()),
                static_cast<unsigned>(p.date.day()), static_cast<long>(p.time.hours().count()),
                static_cast<long>(p.time.minutes().count()),
                static_cast<long>(p.time.seconds().count()), offset.count() < 0 ? '-' : '+',
                off / 60, off % 60);
  return buf;
}

std::string format_japanese(sys_seconds t, minutes offset) {
  const LocalParts p = split(t, offset);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u月%u日(", static_cast<unsigned>(p.date.month()),
                static_cast<unsigned>(p.date.day()));
  std::string out = buf;
  out += japanese_weekday(weekday{sys_days{p.date}}, true);
  std::snprintf(buf, sizeof buf, ") %02ld:%02ld", static_cast<long>(p.time.hours().count()),
                static_cast<long>(p.time.minutes().count()));
  return out + buf;
}

std::optional<sys_seconds> parse_iso8601(std::string_view s) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, pos, 4, y) || !literal(s, pos, '-') || !digits(s, pos, 2, mo) ||
      !literal(s, pos, '-') || !digits(s, pos, 2, d))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, h) || !literal(s, pos, ':') || !digits(s, pos, 2, mi))
    return std::nullopt;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!digits(s, pos, 2, sec)) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      const size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;

  minutes offset{9 * 60};  // no offset: Asia/Tokyo
  if (pos < s.size()) {
    const char c = s[pos++];
    if (c == 'Z' || c == 'z') {
      offset = minutes{0};
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0;
      if (!digits(s, pos, 2, oh)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!digits(s, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset = minutes{oh * 60 + om};
      if (c == '-') offset = -offset;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  return sys_seconds{sys_days{date}} + hours{h} + minutes{mi} + seconds{sec} - offset;
}

}  // namespace madoguchi::rules

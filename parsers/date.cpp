// date.cpp — RFC 5322 §3.3 and §4.3 date-time parsing (see the header).
#include "parsers/date.h"

#include <array>
#include <string>
#include <vector>

namespace madoguchi::parsers {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
    if (v > 100000) return v;
  }
  return v;
}

int month_index(std::string_view tok) {
  static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string l = lower(tok.substr(0, 3));
  for (int i = 0; i < 12; ++i)
    if (l == names[static_cast<std::size_t>(i)]) return i + 1;
  return 0;
}

// Offset in minutes east of UTC; false when the token is not a zone.
bool zone_offset(std::string_view tok, int& minutes) {
  if (tok.size() == 5 && (tok[0] == '+' || tok[0] == '-') && all_digits(tok.substr(1))) {
    int hh = to_int(tok.substr(1, 2)), mm = to_int(tok.substr(3, 2));
    if (mm > 59) return false;
    minutes = (tok[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return true;
  }
  std::string l = lower(tok);
  struct Named { std::string_view name; int offset; };
  static constexpr std::array<Named, 13> named{{{"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0},
                                                 {"est", -300}, {"edt", -240}, {"cst", -360},
                                                 {"cdt", -300}, {"mst", -420}, {"mdt", -360},
                                                 {"pst", -480}, {"pdt", -420}, {"jst", 540}}};
  for (const auto& n : named)
    if (l == n.name) { minutes = n.offset; return true; }
  if (l.size() == 1 && l[0] >= 'a' && l[0] <= 'z' && l[0] != 'j') { minutes = 0; return true; }
  return false;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_rfc5322_date(std::string_view v) {
  // Tokenize: drop comments, split on blanks and commas; keep "hh:mm:ss" together.
  std::vector<std::string_view> toks;
  std::size_t i = 0;
  while (i < v.size() && toks.size() < 16) {
    char c = v[i];
    if (c == '(') {
      int depth = 1;
      ++i;
      while (i < v.size() && depth > 0) {
        if (v[i] == '(') ++depth;
        else if (v[i] == ')') --depth;
        ++i;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') { ++i; continue; }
    std::size_t b = i;
    while (i < v.size() && v[i] != ' ' && v[i] != '\t' && v[i] != ',' && v[i] != '(' &&
           v[i] != '\r' && v[i] != '\n')
      ++i;
    toks.push_back(v.substr(b, i - b));
  }
  std::size_t t = 0;
  if (t < toks.size() && !all_digits(toks[t]) && month_index(toks[t]) == 0) ++t;  // weekday
  if (t + 3 > toks.size()) return std::nullopt;
  int day = 0, month = 0;
  if (all_digits(toks[t])) {
    day = to_int(toks[t]);
    month = month_index(toks[t + 1]);
  } else {  // "Jul 22 2015" (asctime-like order)
    month = month_index(toks[t]);
    day = all_digits(toks[t + 1]) ? to_int(toks[t + 1]) : 0;
  }
  t += 2;
  std::string_view ytok;
  std::string_view ttok;
  // Year then time, or (asctime) time then year.
  if (t < toks.size() && toks[t].find(':') != std::string_view::npos) {
    ttok = toks[t++];
    if (t < toks.size() && all_digits(toks[t])) ytok = toks[t++];
  } else if (t < toks.size()) {
    ytok = toks[t++];
    if (t < toks.size()) ttok = toks[t++];
  }
  if (!all_digits(ytok) || ytok.size() > 4 || month == 0 || day < 1 || day > 31)
    return std::nullopt;
  int year = to_int(ytok);
  if (ytok.size() <= 2) year += year < 50 ? 2000 : 1900;
  else if (ytok.size() == 3) year += 1900;
  int hh = 0, mm = 0, ss = 0;
  std::string_view zone_glued;
  if (auto z = ttok.find_first_of("+-"); z != std::string_view::npos) {
    zone_glued = ttok.substr(z);
    ttok = ttok.substr(0, z);
  }
  {
    std::array<int, 3> parts{0, 0, 0};
    std::size_t n = 0, b = 0;
    for (std::size_t k = 0; k <= ttok.size() && n < 3; ++k) {
      if (k == ttok.size() || ttok[k] == ':') {
        std::string_view p = ttok.substr(b, k - b);
        if (!all_digits(p) || p.size() > 2) return std::nullopt;
        parts[n++] = to_int(p);
        b = k + 1;
      }
    }
    if (n < 2) return std::nullopt;
    hh = parts[0], mm = parts[1], ss = parts[2];
    if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  }
  int offset = 0;
  if (!zone_glued.empty()) {
    // "00:01+0000": the zone glued to the time
    if (!zone_offset(zone_glued, offset)) return std::nullopt;
  } else if (t < toks.size()) {
    if (!zone_offset(toks[t], offset)) offset = 0;  // unknown zone: -0000
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  sys_seconds local = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
  return local - minutes{offset};
}

}  // namespace madoguchi::parsers

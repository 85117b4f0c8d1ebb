// terminal_text.cpp — see terminal_text.h.
#include "daemon/cli/terminal_text.h"

#include <cstdio>

namespace madoguchi::daemon {
namespace {

// The length of the unsafe character at `i`, 0 when it is safe; its code point in `cp`.
std::size_t unsafe_at(std::string_view s, std::size_t i, unsigned& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x20 || c == 0x7F) return cp = c, 1;
  if (c == 0xC2 && i + 1 < s.size()) {
    const auto d = static_cast<unsigned char>(s[i + 1]);
    if (d >= 0x80 && d <= 0x9F) return cp = d, 2;
  }
  if (c == 0xE2 && i + 2 < s.size()) {
    const auto d = static_cast<unsigned char>(s[i + 1]), e = static_cast<unsigned char>(s[i + 2]);
    const unsigned v = 0x2000u | ((d & 0x3Fu) << 6) | (e & 0x3Fu);
    if ((v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)) return cp = v, 3;
  }
  return 0;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned cp = 0;
    if (const std::size_t n = unsafe_at(s, i, cp)) {
      out += "\xEF\xBF\xBD";
      i += n;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string printable_json(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned cp = 0;
    const std::size_t n = unsafe_at(s, i, cp);
    if (n > 1) {  // C0 controls never appear unescaped in dumped JSON; newlines are layout
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
      i += n;
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace madoguchi::daemon

// text_normalize.cpp — see text_normalize.h.
#include "rules/text_normalize.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace madoguchi::rules {
namespace {

// Replaces every invalid UTF-8 sequence by U+FFFD so that utf8proc never rejects the text.
std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(in.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(in.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out += "\xEF\xBF\xBD";
      ++p;
      --left;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    p += n;
    left -= n;
  }
  return out;
}

void append_utf8(std::string& out, utf8proc_int32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// Calls `f(cp)` for each code point of valid UTF-8 `s`.
template <class F>
void for_each_code_point(std::string_view s, F f) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      n = 1;
      cp = 0xFFFD;
    }
    f(cp);
    p += n;
    left -= n;
  }
}

}  // namespace

std::string normalize_text(std::string_view text) {
  if (text.empty()) return {};
  const std::string clean = sanitize_utf8(text);
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                      UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                                    static_cast<utf8proc_ssize_t>(clean.size()), &mapped, options);
  std::string folded;
  if (n < 0 || mapped == nullptr) {
    folded = clean;  // out of memory: match on the unnormalised text rather than nothing
  } else {
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> guard(mapped, &std::free);
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
  }
  // U+301C WAVE DASH survives NFKC; fold it like U+FF5E (already "~").
  std::string out;
  out.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\xE3\x80\x9C") == 0) {
      out += '~';
      i += 2;
    } else {
      out += folded[i];
    }
  }
  return out;
}

std::string normalize_identifier_text(std::string_view text) {
  const std::string norm = normalize_text(text);
  std::string out;
  out.reserve(norm.size());
  for_each_code_point(norm, [&](utf8proc_int32_t cp) {
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0x30FC || cp == 0xFF70 ||
        cp == 0xFE63)
      out += '-';
    else
      append_utf8(out, cp);
  });
  return out;
}

std::string strip_quoted_lines(std::string_view body, std::size_t max_bytes) {
  std::string out;
  std::size_t pos = 0;
  while (pos < body.size() && out.size() < max_bytes) {
    std::size_t eol = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    // ">" and the full-width "＞" both quote in Japanese clients.
    const bool quoted = (i < line.size() && line[i] == '>') ||
                        line.substr(i).starts_with("\xEF\xBC\x9E");
    if (!quoted) {
      out.append(line);
      out += '\n';
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

std::string ascii_lower_trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool has_japanese(std::string_view text) {
  bool found = false;
  for_each_code_point(text, [&](utf8proc_int32_t cp) {
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
        (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xFF66 && cp <= 0xFF9F))
      found = true;
  });
  return found;
}

}  // namespace madoguchi::rules

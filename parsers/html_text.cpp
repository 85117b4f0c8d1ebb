// html_text.cpp — HTML to readable text (see the header).
#include "parsers/html_text.h"

#include "parsers/charset.h"

#include <algorithm>
#include <array>

namespace madoguchi::parsers {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool istarts(std::string_view s, std::size_t at, std::string_view p) {
  if (at + p.size() > s.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (lower(s[at + i]) != p[i]) return false;
  return true;
}

std::size_t ifind(std::string_view s, std::string_view p, std::size_t from) {
  for (std::size_t i = from; i + p.size() <= s.size(); ++i)
    if (istarts(s, i, p)) return i;
  return std::string_view::npos;
}

struct Entity { std::string_view name; char32_t cp; };
// HTML 4 Latin-1 entities and the common typographic ones.
constexpr std::array<Entity, 132> entities{{
    {"nbsp", 0xA0}, {"iexcl", 0xA1}, {"cent", 0xA2}, {"pound", 0xA3}, {"curren", 0xA4},
    {"yen", 0xA5}, {"brvbar", 0xA6}, {"sect", 0xA7}, {"uml", 0xA8}, {"copy", 0xA9},
    {"ordf", 0xAA}, {"laquo", 0xAB}, {"not", 0xAC}, {"shy", 0xAD}, {"reg", 0xAE},
    {"macr", 0xAF}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"sup2", 0xB2}, {"sup3", 0xB3},
    {"acute", 0xB4}, {"micro", 0xB5}, {"para", 0xB6}, {"middot", 0xB7}, {"cedil", 0xB8},
    {"sup1", 0xB9}, {"ordm", 0xBA}, {"raquo", 0xBB}, {"frac14", 0xBC}, {"frac12", 0xBD},
    {"frac34", 0xBE}, {"iquest", 0xBF}, {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2},
    {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7},
    {"Egrave", 0xC8}, {"Eacute", 0xC9}, {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC},
    {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Iuml", 0xCF}, {"ETH", 0xD0}, {"Ntilde", 0xD1},
    {"Ograve", 0xD2}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Otilde", 0xD5}, {"Ouml", 0xD6},
    {"times", 0xD7}, {"Oslash", 0xD8}, {"Ugrave", 0xD9}, {"Uacute", 0xDA}, {"Ucirc", 0xDB},
    {"Uuml", 0xDC}, {"Yacute", 0xDD}, {"THORN", 0xDE}, {"szlig", 0xDF}, {"agrave", 0xE0},
    {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3}, {"auml", 0xE4}, {"aring", 0xE5},
    {"aelig", 0xE6}, {"ccedil", 0xE7}, {"egrave", 0xE8}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iuml", 0xEF},
    {"eth", 0xF0}, {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3}, {"ocirc", 0xF4},
    {"otilde", 0xF5}, {"ouml", 0xF6}, {"divide", 0xF7}, {"oslash", 0xF8}, {"ugrave", 0xF9},
    {"uacute", 0xFA}, {"ucirc", 0xFB}, {"uuml", 0xFC}, {"yacute", 0xFD}, {"thorn", 0xFE},
    {"yuml", 0xFF}, {"amp", 0x26}, {"lt", 0x3C}, {"gt", 0x3E}, {"quot", 0x22}, {"apos", 0x27},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
    {"bdquo", 0x201E}, {"bull", 0x2022}, {"trade", 0x2122}, {"euro", 0x20AC}, {"zwnj", 0x200C},
    {"zwj", 0x200D}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009}, {"dagger", 0x2020},
    {"Dagger", 0x2021}, {"permil", 0x2030}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A},
    {"OElig", 0x152}, {"oelig", 0x153}, {"Scaron", 0x160}, {"scaron", 0x161}, {"Yuml", 0x178},
    {"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191}, {"darr", 0x2193},}};

bool is_block(std::string_view tag) {
  static constexpr std::array<std::string_view, 22> blocks{
      "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table",
      "ul", "ol", "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd"};
  for (auto b : blocks)
    if (tag == b) return true;
  return false;
}

}  // namespace

std::string html_to_text(std::string_view h) {
  std::string out;
  out.reserve(h.size() / 2);
  bool pending_space = false;
  int pre = 0;
  auto newline = [&] {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    // At most one empty line in a row.
    std::size_t n = out.size();
    if (n >= 2 && out[n - 1] == '\n' && out[n - 2] == '\n') return;
    if (!out.empty()) out += '\n';
    pending_space = false;
  };
  std::size_t i = 0;
  while (i < h.size()) {
    char c = h[i];
    if (c == '<') {
      if (h.substr(i, 4) == "<!--") {
        auto e = h.find("-->", i + 4);
        i = e == std::string_view::npos ? h.size() : e + 3;
        continue;
      }
      std::size_t e = h.find('>', i + 1);
      if (e == std::string_view::npos) break;
      std::string_view inner = h.substr(i + 1, e - i - 1);
      bool closing = !inner.empty() && inner.front() == '/';
      if (closing) inner.remove_prefix(1);
      std::string tag;
      for (char t : inner) {
        if (t == ' ' || t == '\t' || t == '\r' || t == '\n' || t == '/' || t == '>') break;
        tag += lower(t);
      }
      i = e + 1;
      if (!closing && (tag == "script" || tag == "style" || tag == "head" || tag == "title")) {
        std::string close = "</" + tag;
        auto ce = ifind(h, close, i);
        if (ce == std::string_view::npos) { i = h.size(); break; }
        auto gt = h.find('>', ce);
        i = gt == std::string_view::npos ? h.size() : gt + 1;
        continue;
      }
      if (tag == "pre") pre += closing ? -1 : 1;
      if (pre < 0) pre = 0;
      if (is_block(tag)) newline();
      else if (tag == "td" || tag == "th") pending_space = true;
      continue;
    }
    if (c == '&') {
      std::size_t semi = h.substr(0, std::min(h.size(), i + 12)).find(';', i + 1);
      if (semi != std::string_view::npos) {
        std::string_view name = h.substr(i + 1, semi - i - 1);
        char32_t cp = 0;
        if (!name.empty() && name[0] == '#') {
          bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
          for (char d : name.substr(hex ? 2 : 1)) {
            int v = (d >= '0' && d <= '9') ? d - '0'
                    : hex && (d >= 'a' && d <= 'f') ? d - 'a' + 10
                    : hex && (d >= 'A' && d <= 'F') ? d - 'A' + 10 : -1;
            if (v < 0 || cp > 0x10FFFF) { cp = 0xFFFD; break; }
            cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
          }
          if (cp == 0) cp = 0xFFFD;
        } else {
          for (const auto& en : entities)
            if (name == en.name) cp = en.cp;
        }
        if (cp != 0) {
          if (pending_space && !out.empty() && out.back() != '\n') out += ' ';
          pending_space = false;
          append_utf8(out, cp == 0xA0 ? ' ' : cp);
          i = semi + 1;
          continue;
        }
      }
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (pre) {
        if (c == '\n') out += '\n';
        else if (c != '\r') out += c;
      } else {
        pending_space = true;
      }
      ++i;
      continue;
    }
    if (pending_space && !out.empty() && out.back() != '\n') out += ' ';
    pending_space = false;
    out += c;
    ++i;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string html_meta_charset(std::string_view h) {
  std::string_view head = h.substr(0, 4096);
  std::size_t at = ifind(head, "charset=", 0);
  if (at == std::string_view::npos) return "";
  at += 8;
  while (at < head.size() && (head[at] == '"' || head[at] == '\'' || head[at] == ' ')) ++at;
  std::string cs;
  while (at < head.size() && cs.size() < 40) {
    char c = head[at++];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == ':'))
      break;
    cs += lower(c);
  }
  return cs;
}

}  // namespace madoguchi::parsers

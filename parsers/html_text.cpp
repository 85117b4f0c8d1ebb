// html_text.cpp — HTML to readable text (see the header).
#include "parsers/html_text.h"

#include "parsers/charset.h"

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
constexpr std::array<Entity, 24> entities{{
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
    {"copy", 0xA9}, {"reg", 0xAE}, {"yen", 0xA5}, {"middot", 0xB7}, {"hellip", 0x2026},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bull", 0x2022}, {"trade", 0x2122},
    {"euro", 0x20AC}, {"laquo", 0xAB}, {"raquo", 0xBB}, {"times", 0xD7}, {"zwnj", 0x200C}}};

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
      std::size_t semi = h.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
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

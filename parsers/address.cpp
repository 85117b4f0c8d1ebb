// address.cpp — address-list and msg-id tokenizing (see the header).
#include "parsers/address.h"

#include "parsers/encoded_words.h"
#include "parsers/mime.h"

namespace madoguchi::parsers {
namespace {

std::string collapse_ws(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : trim_view(s)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// One mailbox: "display <addr>", "addr", "addr (comment)".
Address parse_mailbox(std::string_view m) {
  Address a;
  std::string display;   // display-name with quotes removed, encoded-words intact
  std::string outside;   // text outside quotes/comments/brackets
  std::string comment;
  std::string angle;
  bool has_angle = false;
  std::size_t i = 0;
  while (i < m.size()) {
    char c = m[i];
    if (c == '"') {
      ++i;
      while (i < m.size() && m[i] != '"') {
        if (m[i] == '\\' && i + 1 < m.size()) ++i;
        display += m[i++];
      }
      ++i;
      outside += ' ';
      continue;
    }
    if (c == '(') {
      int depth = 1;
      ++i;
      std::string cm;
      while (i < m.size() && depth > 0) {
        if (m[i] == '\\' && i + 1 < m.size()) { cm += m[i + 1]; i += 2; continue; }
        if (m[i] == '(') ++depth;
        if (m[i] == ')' && --depth == 0) { ++i; break; }
        cm += m[i++];
      }
      if (comment.empty()) comment = cm;
      continue;
    }
    if (c == '<' && !has_angle) {
      auto close = m.find('>', i + 1);
      std::size_t end = close == std::string_view::npos ? m.size() : close;
      angle = std::string(m.substr(i + 1, end - i - 1));
      has_angle = true;
      outside.clear();
      i = close == std::string_view::npos ? m.size() : close + 1;
      continue;
    }
    if (has_angle) { ++i; continue; }  // junk after the address
    outside += c;
    display += c;
    ++i;
  }
  if (has_angle) {
    // Source route "<@a,@b:user@host>": keep the addr-spec.
    std::string_view addr = trim_view(angle);
    if (!addr.empty() && addr.front() == '@') {
      auto colon = addr.find(':');
      if (colon != std::string_view::npos) addr = addr.substr(colon + 1);
    }
    a.address = collapse_ws(addr);
    a.name = decode_header_text(collapse_ws(display));
  } else {
    // No brackets: the text is the address (a quoted local part loses its quotes).
    for (char c : collapse_ws(display))
      if (c != ' ' && c != '<' && c != '>') a.address += c;
    a.name = decode_header_text(collapse_ws(comment));
  }
  return a;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view v) {
  std::vector<Address> out;
  std::size_t begin = 0;
  bool in_quote = false, in_angle = false;
  int depth = 0;
  auto emit = [&](std::size_t end) {
    std::string_view m = trim_view(v.substr(begin, end - begin));
    begin = end + 1;
    if (m.empty()) return;
    Address a = parse_mailbox(m);
    // "<>" (the null sender) is kept as an empty address.
    if (!a.address.empty() || !a.name.empty() || m.find("<>") != std::string_view::npos)
      out.push_back(std::move(a));
  };
  for (std::size_t i = 0; i < v.size() && out.size() < 10000; ++i) {
    char c = v[i];
    if (in_quote) {
      if (c == '\\') ++i;
      else if (c == '"') in_quote = false;
      continue;
    }
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '"') in_quote = true;
    else if (c == '(') depth = 1;
    else if (c == '<') in_angle = true;
    else if (c == '>') in_angle = false;
    else if (!in_angle && (c == ',' || c == ';')) emit(i);
    else if (!in_angle && c == ':') begin = i + 1;  // group name: dropped
  }
  emit(v.size());
  return out;
}

std::vector<std::string> parse_msg_ids(std::string_view v) {
  std::vector<std::string> ids;
  std::size_t i = 0;
  while (i < v.size() && ids.size() < 10000) {
    char c = v[i];
    if (c == '(') {  // comment
      int depth = 1;
      ++i;
      while (i < v.size() && depth > 0) {
        if (v[i] == '(') ++depth;
        else if (v[i] == ')') --depth;
        ++i;
      }
      continue;
    }
    if (c == '<') {
      auto close = v.find('>', i + 1);
      std::size_t end = close == std::string_view::npos ? v.size() : close;
      std::string id;
      for (char d : v.substr(i + 1, end - i - 1))
        if (d != ' ' && d != '\t' && d != '\r' && d != '\n') id += d;
      if (!id.empty()) ids.push_back(std::move(id));
      i = end + 1;
      continue;
    }
    if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    // A bare id (no brackets): up to the next blank; kept only when it looks like one.
    std::size_t b = i;
    while (i < v.size() && v[i] != ' ' && v[i] != '\t' && v[i] != ',' && v[i] != '<' && v[i] != '(') ++i;
    std::string_view tok = v.substr(b, i - b);
    if (tok.find('@') != std::string_view::npos) ids.emplace_back(tok);
  }
  return ids;
}

}  // namespace madoguchi::parsers

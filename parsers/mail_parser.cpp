// mail_parser.cpp — PLACEHOLDER parse_mail(): splits headers from body and copies a few
// fields verbatim, so that the pipeline can be wired end to end. Issue 3 replaces this file
// with the real MIME and Japanese decoding (no charset, encoded-word or MIME handling here).
#include "parsers/parsed_mail.h"

#include <algorithm>
#include <cctype>

namespace madoguchi::parsers {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string strip_brackets(std::string_view s) {
  std::string t = trim(s);
  if (t.size() >= 2 && t.front() == '<' && t.back() == '>') return t.substr(1, t.size() - 2);
  return t;
}

Address parse_address(std::string_view v) {
  std::string t = trim(v);
  auto lt = t.find('<');
  auto gt = t.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
    return {trim(std::string_view(t).substr(0, lt)), t.substr(lt + 1, gt - lt - 1)};
  }
  return {"", t};
}

}  // namespace

const Header* ParsedMail::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

std::string_view warning_name(WarningCode code) {
  switch (code) {
    case WarningCode::truncated_message: return "truncated_message";
    case WarningCode::too_many_parts: return "too_many_parts";
    case WarningCode::too_deep: return "too_deep";
    case WarningCode::bad_header: return "bad_header";
    case WarningCode::bad_encoded_word: return "bad_encoded_word";
    case WarningCode::bad_transfer_encoding: return "bad_transfer_encoding";
    case WarningCode::unknown_charset: return "unknown_charset";
    case WarningCode::charset_mismatch: return "charset_mismatch";
    case WarningCode::invalid_bytes: return "invalid_bytes";
    case WarningCode::missing_boundary: return "missing_boundary";
    case WarningCode::no_text_body: return "no_text_body";
  }
  return "unknown";
}

ParsedMail parse_mail(std::string_view raw, const ParseOptions& options) {
  ParsedMail m;
  if (raw.size() > options.max_message_bytes) {
    raw = raw.substr(0, options.max_message_bytes);
    m.warnings.push_back({WarningCode::truncated_message, true, "message truncated"});
  }
  std::size_t pos = 0;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    auto colon = current.find(':');
    if (colon == std::string::npos) {
      m.warnings.push_back({WarningCode::bad_header, false, "header line without colon"});
    } else {
      m.headers.push_back({trim(std::string_view(current).substr(0, colon)),
                           trim(std::string_view(current).substr(colon + 1))});
    }
    current.clear();
  };
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? raw.npos : eol - pos);
    pos = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      current += ' ';
      current += trim(line);
    } else {
      flush();
      current = std::string(line);
    }
  }
  flush();
  m.text = std::string(raw.substr(std::min(pos, raw.size())));
  for (const auto& h : m.headers) {
    if (iequals(h.name, "Subject")) m.subject = h.value;
    else if (iequals(h.name, "From")) m.from.push_back(parse_address(h.value));
    else if (iequals(h.name, "To")) m.to.push_back(parse_address(h.value));
    else if (iequals(h.name, "Cc")) m.cc.push_back(parse_address(h.value));
    else if (iequals(h.name, "Message-ID")) m.message_id = strip_brackets(h.value);
    else if (iequals(h.name, "In-Reply-To")) m.in_reply_to = strip_brackets(h.value);
    else if (iequals(h.name, "Date")) m.date = h.value;
    else if (iequals(h.name, "Return-Path")) m.return_path = strip_brackets(h.value);
  }
  return m;
}

}  // namespace madoguchi::parsers

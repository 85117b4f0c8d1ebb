// cmd_parse.cpp — `madoguchi parse FILE.eml`: print the parsed form of one mail as one JSON
// object, so operators (and tests/corpus/compare_python.py) can see exactly what the parser
// made of a mail. Printing the body here is the operator's explicit request; nothing is logged.
// Exit 1 only when the file cannot be read: a broken mail still parses, with warnings.
#include "daemon/cli.h"
#include "parsers/parsed_mail.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace madoguchi::daemon {
namespace {

// Appends `s` as a JSON string (RFC 8259). Ill-formed UTF-8 becomes U+FFFD so the output is
// always valid JSON even if a decoder let a stray byte through.
void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool ok = n != 0 && i + n <= s.size() && c >= 0xC2 && c <= 0xF4;
    char32_t cp = ok ? (c & (0x7F >> n)) : 0;
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if (ok && ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (ok) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out += '"';
}

void json_addresses(std::string& out, const std::vector<parsers::Address>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ", ";
    out += "{\"name\": ";
    json_string(out, list[i].name);
    out += ", \"address\": ";
    json_string(out, list[i].address);
    out += '}';
  }
  out += ']';
}

std::string to_json(const parsers::ParsedMail& m) {
  std::string o = "{\n";
  auto field = [&](std::string_view key, bool first = false) {
    if (!first) o += ",\n";
    o += "  ";
    json_string(o, key);
    o += ": ";
  };
  field("subject", true);
  json_string(o, m.subject);
  field("from");
  json_addresses(o, m.from);
  field("to");
  json_addresses(o, m.to);
  field("cc");
  json_addresses(o, m.cc);
  field("date");
  json_string(o, m.date);
  field("message_id");
  json_string(o, m.message_id);
  field("in_reply_to");
  json_string(o, m.in_reply_to);
  field("references");
  o += '[';
  for (std::size_t i = 0; i < m.references.size(); ++i) {
    if (i) o += ", ";
    json_string(o, m.references[i]);
  }
  o += ']';
  field("auto_submitted");
  json_string(o, m.auto_submitted);
  field("precedence");
  json_string(o, m.precedence);
  field("list_id");
  json_string(o, m.list_id);
  field("is_delivery_status");
  o += m.is_delivery_status ? "true" : "false";
  field("text");
  json_string(o, m.text);
  field("attachments");
  o += '[';
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    const auto& a = m.attachments[i];
    o += i ? ", " : "";
    o += "{\"filename\": ";
    json_string(o, a.filename);
    o += ", \"content_type\": ";
    json_string(o, a.content_type);
    o += ", \"size\": " + std::to_string(a.size) + "}";
  }
  o += ']';
  field("warnings");
  o += '[';
  for (std::size_t i = 0; i < m.warnings.size(); ++i) {
    const auto& w = m.warnings[i];
    o += i ? ", " : "";
    o += "{\"code\": ";
    json_string(o, parsers::warning_name(w.code));
    o += ", \"critical\": ";
    o += w.critical ? "true" : "false";
    o += ", \"detail\": ";
    json_string(o, w.detail);
    o += '}';
  }
  o += "]\n}\n";
  return o;
}

}  // namespace

Subcommand add_parse_command(CLI::App& root) {
  auto* app = root.add_subcommand("parse", "print the parsed form of one mail as JSON");
  auto file = std::make_shared<std::string>();
  app->add_option("file", *file, "the mail (RFC 5322 bytes, e.g. FILE.eml)")->required();
  return {app, [file] {
            std::error_code ec;
            std::ifstream in(*file, std::ios::binary);
            if (!in || std::filesystem::is_directory(*file, ec)) {
              std::cerr << "madoguchi parse: cannot read " << *file << "\n";
              return exit_failure;
            }
            std::ostringstream buf;
            buf << in.rdbuf();
            if (in.bad()) {
              std::cerr << "madoguchi parse: cannot read " << *file << "\n";
              return exit_failure;
            }
            parsers::ParsedMail m = parsers::parse_mail(buf.str());
            std::cout << to_json(m);
            return exit_ok;
          }};
}

}  // namespace madoguchi::daemon

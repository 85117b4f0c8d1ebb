// cmd_parse.cpp — `madoguchi parse FILE.eml`: print the parsed form of one mail as one JSON
// object, so operators (and tests/corpus/compare_python.py) can see exactly what the parser
// made of a mail. Printing the body here is the operator's explicit request; nothing is logged.
// Exit 1 only when the file cannot be read: a broken mail still parses, with warnings.
#include "daemon/cli/cli.h"
#include "daemon/cli/terminal_text.h"
#include "parsers/parsed_mail.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace madoguchi::daemon {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order written

Json addresses(const std::vector<parsers::Address>& list) {
  Json out = Json::array();
  for (const auto& a : list) out.push_back({{"name", a.name}, {"address", a.address}});
  return out;
}

// The parsed mail as JSON. Ill-formed UTF-8 becomes U+FFFD when dumped, so the output is
// always valid JSON even if a decoder let a stray byte through.
std::string to_json(const parsers::ParsedMail& m) {
  Json attachments = Json::array();
  for (const auto& a : m.attachments)
    attachments.push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.size}});
  Json warnings = Json::array();
  for (const auto& w : m.warnings)
    warnings.push_back({{"code", parsers::warning_name(w.code)}, {"critical", w.critical}, {"detail", w.detail}});
  const Json j{{"subject", m.subject},
               {"from", addresses(m.from)},
               {"to", addresses(m.to)},
               {"cc", addresses(m.cc)},
               {"date", m.date},
               {"message_id", m.message_id},
               {"in_reply_to", m.in_reply_to},
               {"references", m.references},
               {"auto_submitted", m.auto_submitted},
               {"precedence", m.precedence},
               {"list_id", m.list_id},
               {"is_delivery_status", m.is_delivery_status},
               {"text", m.text},
               {"attachments", attachments},
               {"warnings", warnings}};
  return printable_json(j.dump(2, ' ', false, Json::error_handler_t::replace)) + "\n";
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

// smtp_replies.cpp — see smtp_replies.h.
#include "daemon/transport/smtp_replies.h"

#include <cctype>
#include <utility>

namespace madoguchi::daemon {
namespace {
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// `line` is the command `verb`, alone or followed by a space or a colon, case-insensitively.
bool is_command(std::string_view line, std::string_view verb) {
  if (line.size() < verb.size()) return false;
  for (std::size_t i = 0; i < verb.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(line[i])) != verb[i]) return false;
  if (line.size() == verb.size()) return true;
  const char next = line[verb.size()];
  return next == ' ' || next == ':' || next == '\r' || next == '\n';
}
}  // namespace

int reply_code(std::string_view reply) {
  if (reply.size() < 3 || !digit(reply[0]) || !digit(reply[1]) || !digit(reply[2])) return 0;
  return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
}

std::string enhanced_status(std::string_view reply) {
  if (reply.size() < 9 || (reply[3] != ' ' && reply[3] != '-')) return "";
  const std::size_t end = reply.find_first_of(" \r\n", 4);
  const std::string code(reply.substr(4, end == std::string_view::npos ? std::string_view::npos : end - 4));
  const bool shaped = code.size() >= 5 && digit(code[0]) && code[1] == '.';
  return shaped ? code : "";
}

bool auth_or_tls_refusal(int code) { return code == 530 || code == 534 || code == 535 || code == 538; }

bool server_level_code(int code) { return code == 0 || code == 421 || auth_or_tls_refusal(code); }

std::optional<SmtpStage> command_stage(std::string_view line) {
  static constexpr std::pair<std::string_view, SmtpStage> verbs[] = {
      {"EHLO", SmtpStage::ehlo},           {"HELO", SmtpStage::ehlo},      {"STARTTLS", SmtpStage::starttls},
      {"AUTH", SmtpStage::auth},           {"MAIL FROM", SmtpStage::mail_from},
      {"RCPT TO", SmtpStage::rcpt_to},     {"DATA", SmtpStage::data}};
  for (const auto& [verb, stage] : verbs)
    if (is_command(line, verb)) return stage;
  return std::nullopt;
}

bool session_stage(SmtpStage stage) {
  switch (stage) {
    case SmtpStage::connect:
    case SmtpStage::ehlo:
    case SmtpStage::starttls:
    case SmtpStage::auth:
    case SmtpStage::mail_from:
      return true;
    case SmtpStage::none:
    case SmtpStage::rcpt_to:
    case SmtpStage::data:
    case SmtpStage::end_of_data:
      return false;
  }
  return false;
}

std::string_view to_string(SmtpStage stage) {
  switch (stage) {
    case SmtpStage::none: return "-";
    case SmtpStage::connect: return "connect";
    case SmtpStage::ehlo: return "ehlo";
    case SmtpStage::starttls: return "starttls";
    case SmtpStage::auth: return "auth";
    case SmtpStage::mail_from: return "mail_from";
    case SmtpStage::rcpt_to: return "rcpt_to";
    case SmtpStage::data: return "data";
    case SmtpStage::end_of_data: return "end_of_data";
  }
  return "-";
}

bool mailbox_refused(std::string_view enhanced) { return enhanced.rfind("5.1.", 0) == 0; }

}  // namespace madoguchi::daemon

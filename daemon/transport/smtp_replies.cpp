// smtp_replies.cpp — see smtp_replies.h.
#include "daemon/transport/smtp_replies.h"

#include <cctype>

namespace madoguchi::daemon {
namespace {
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
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

bool mailbox_refused(std::string_view enhanced) { return enhanced.rfind("5.1.", 0) == 0; }

}  // namespace madoguchi::daemon

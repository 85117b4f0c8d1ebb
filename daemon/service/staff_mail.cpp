// staff_mail.cpp — see staff_mail.h.
#include "daemon/service/staff_mail.h"

#include "daemon/store/states.h"
#include "parsers/reply_text.h"
#include "rules/close_reasons.h"

#include <vector>

namespace madoguchi::daemon {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  // full-width space, as Japanese IMEs type it
  while (s.size() >= 3 && s.substr(0, 3) == "\u3000") s.remove_prefix(3);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) {
      if (pos < text.size()) lines.push_back(text.substr(pos));
      break;
    }
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = eol + 1;
  }
  return lines;
}

}  // namespace

std::string strip_quoted(std::string_view text) {
  // The desk's templates add the desk's own signature: the staff member's is cut too.
  return parsers::cut_reply(text, {.keep_inline_quotes = false, .cut_signature = true}).text;
}

StaffMail parse_staff_mail(std::string_view body) {
  StaffMail m;
  const auto lines = split_lines(body);
  std::size_t i = 0;
  while (i < lines.size() && trim(lines[i]).empty()) ++i;
  for (; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.empty()) break;
    if (t.front() != '#' && !t.starts_with("＃")) break;
    t.remove_prefix(t.front() == '#' ? 1 : 3);
    const auto sp = t.find_first_of(" \t");
    const std::string verb(t.substr(0, sp));
    const std::string arg(sp == std::string_view::npos ? std::string_view() : trim(t.substr(sp + 1)));
    if (verb == "close") {
      if (!rules::parse_close_reason(arg)) {
        std::string list;
        for (const auto& r : rules::close_reasons()) list += (list.empty() ? "" : ", ") + std::string(r.name);
        m.errors.push_back("#close needs one of: " + list);
      } else {
        m.commands.push_back({StaffCommandKind::close, arg});
      }
    } else if (verb == "status") {
      const auto status = parse_state<TicketStatus>(arg);
      if (!status || !is_settable_status(*status))
        m.errors.push_back("#status needs open, investigating, waiting_customer or awaiting_purchase");
      else
        m.commands.push_back({StaffCommandKind::status, arg});
    } else if (verb == "note") {
      m.internal_note = true;
      m.commands.push_back({StaffCommandKind::note, ""});
      if (!arg.empty()) {
        m.text += arg;
        m.text += '\n';
      }
    } else if (verb == "reopen") {
      m.commands.push_back({StaffCommandKind::reopen, ""});
    } else {
      m.errors.push_back("unknown command #" + verb);
    }
  }
  std::string rest;
  for (; i < lines.size(); ++i) {
    rest += lines[i];
    rest += '\n';
  }
  std::string stripped = strip_quoted(rest);
  // leading blank lines of the text
  std::size_t start = stripped.find_first_not_of("\n");
  m.text += start == std::string::npos ? std::string() : stripped.substr(start);
  // A mail that starts with a command is a command *instead of* a reply: what follows the
  // commands ("お客様よりクローズ了承済み。") is staff's own word, kept as an internal note.
  if (!m.commands.empty()) m.internal_note = true;
  return m;
}

}  // namespace madoguchi::daemon

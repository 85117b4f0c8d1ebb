// staff_mail.cpp — see staff_mail.h.
#include "daemon/service/staff_mail.h"

#include "daemon/store/states.h"
#include "rules/close_reasons.h"

#include <algorithm>
#include <array>
#include <utility>

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

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool is_attribution(std::string_view line) {
  const std::string_view t = trim(line);
  if (starts_with(t, "On ") && (ends_with(t, "wrote:") || ends_with(t, "wrote :"))) return true;
  if (ends_with(t, "wrote:")) return true;
  if (ends_with(t, "書きました:") || ends_with(t, "書きました：") || ends_with(t, "書きました")) return true;
  if (starts_with(t, "-----Original Message-----") || starts_with(t, "----- Original Message -----"))
    return true;
  if (starts_with(t, "-----元のメッセージ-----") || starts_with(t, "----- 元のメッセージ -----")) return true;
  return false;
}

bool is_outlook_header(std::string_view line) {
  const std::string_view t = trim(line);
  return starts_with(t, "From:") || starts_with(t, "差出人:") || starts_with(t, "差出人：") ||
         starts_with(t, "送信者:");
}

}  // namespace

std::string strip_quoted(std::string_view text) {
  const auto lines = split_lines(text);
  std::vector<std::string_view> kept;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (is_attribution(line)) break;
    // Outlook: a "From:" line after a blank line (or a rule) starts the quoted original.
    if (is_outlook_header(line) && (i == 0 || trim(lines[i - 1]).empty() ||
                                    starts_with(trim(lines[i - 1]), "_____")))
      break;
    if (starts_with(trim(line), ">") || starts_with(trim(line), "＞")) continue;
    kept.push_back(line);
  }
  while (!kept.empty() && trim(kept.back()).empty()) kept.pop_back();
  // a rule line Outlook puts above the quoted header
  while (!kept.empty() && starts_with(trim(kept.back()), "_____")) kept.pop_back();
  while (!kept.empty() && trim(kept.back()).empty()) kept.pop_back();
  std::string out;
  for (const auto& l : kept) {
    out += l;
    out += '\n';
  }
  return out;
}

StaffMail parse_staff_mail(std::string_view body) {
  StaffMail m;
  const auto lines = split_lines(body);
  std::size_t i = 0;
  while (i < lines.size() && trim(lines[i]).empty()) ++i;
  for (; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.empty()) break;
    if (t.front() != '#' && !starts_with(t, "＃")) break;
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

// summary.cpp — see summary.h.
#include "daemon/cli/summary.h"

#include <string>

namespace madoguchi::daemon {

namespace {
// Display width of a UTF-8 string, counting East Asian wide characters as 2 columns.
std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

std::string pad(const std::string& s, std::size_t width) {
  std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}
}  // namespace

void print_summary(const std::vector<ProcessedMail>& processed, std::ostream& out) {
  const std::vector<std::string> head{"msg", "from", "desk", "identity", "outcome", "rule",
                                      "action", "ticket", "reply / note", "subject"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : processed) {
    std::string reply = p.reply.empty() ? (p.note.empty() ? "-" : "(" + p.note + ")") : p.reply;
    std::string subject = p.subject;
    rows.push_back({std::to_string(p.message), p.sender.empty() ? "-" : p.sender,
                    p.desk.empty() ? "-" : p.desk, p.identity.empty() ? "-" : p.identity,
                    p.outcome.empty() ? "-" : p.outcome, p.rule.empty() ? "-" : p.rule,
                    std::string(to_string(p.action)), p.ticket.empty() ? "-" : p.ticket, reply, subject});
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c + 1 < head.size(); ++c) {
    width[c] = display_width(head[c]);
    for (const auto& r : rows) width[c] = std::max(width[c], display_width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c)
      out << (c + 1 < r.size() ? pad(r[c], width[c]) + "  " : r[c]);
    out << '\n';
  };
  line(head);
  for (const auto& r : rows) line(r);
}

}  // namespace madoguchi::daemon

// loop_safety.cpp — see loop_safety.h.
#include "rules/loop_safety.h"

#include "rules/text_normalize.h"

#include <algorithm>

namespace madoguchi::rules {
namespace {

// The field's value from ParsedMail's own member, else from the raw header list.
std::string field(const parsers::ParsedMail& m, std::string_view member, std::string_view name) {
  if (!member.empty()) return ascii_lower_trim(member);
  const parsers::Header* h = m.header(name);
  return h ? ascii_lower_trim(h->value) : std::string();
}

std::string local_part(std::string_view address) {
  std::string a = ascii_lower_trim(address);
  if (!a.empty() && a.front() == '<') a.erase(0, 1);
  if (!a.empty() && a.back() == '>') a.pop_back();
  return a.substr(0, a.find('@'));
}

bool daemon_address(std::string_view address) {
  const std::string l = local_part(address);
  return l == "mailer-daemon" || l == "postmaster";
}

}  // namespace

bool is_bounce(const parsers::ParsedMail& mail) {
  if (mail.is_delivery_status) return true;
  const parsers::Header* ct = mail.header("Content-Type");
  if (ct) {
    const std::string v = ascii_lower_trim(ct->value);
    if (v.find("multipart/report") != std::string::npos &&
        v.find("delivery-status") != std::string::npos)
      return true;
  }
  const bool from_daemon = std::any_of(mail.from.begin(), mail.from.end(),
                                       [](const auto& a) { return daemon_address(a.address); });
  const bool null_sender = mail.return_path && mail.return_path->empty();
  if (from_daemon || null_sender) {
    const std::string s = ascii_lower_trim(mail.subject);
    for (std::string_view w : {"undeliver", "returned mail", "delivery status notification",
                               "delivery failure", "failure notice", "mail delivery failed",
                               "配信不能", "配送不能", "配信エラー", "送信エラー"})
      if (s.find(w) != std::string::npos) return true;
  }
  return false;
}

bool is_auto_reply(const parsers::ParsedMail& mail) {
  const std::string as = field(mail, mail.auto_submitted, "Auto-Submitted");
  if (as.starts_with("auto-replied")) return true;
  if (mail.header("X-Autoreply") || mail.header("X-Autorespond")) return true;
  return field(mail, mail.precedence, "Precedence") == "auto_reply";
}

std::optional<std::string> loop_reason(const parsers::ParsedMail& mail,
                                       const std::vector<std::string>& own_domains) {
  if (is_bounce(mail)) return "dsn";
  const std::string as = field(mail, mail.auto_submitted, "Auto-Submitted");
  if (!as.empty() && !as.starts_with("no")) return "auto_submitted";
  if (is_auto_reply(mail)) return "auto_submitted";
  // The sender asks for no automatic answer (Exchange sets it on out-of-office replies, but
  // also on some system mail from people's tools): suppress the reply, keep the mail.
  if (const auto* h = mail.header("X-Auto-Response-Suppress")) {
    const std::string v = ascii_lower_trim(h->value);
    if (v.find("all") != std::string::npos || v.find("oof") != std::string::npos ||
        v.find("autoreply") != std::string::npos)
      return "auto_response_suppress";
  }
  const std::string prec = field(mail, mail.precedence, "Precedence");
  if (prec == "bulk" || prec == "junk" || prec == "list" || prec == "auto_reply") return "precedence";
  if (!mail.list_id.empty() || mail.header("List-Id") || mail.header("List-Unsubscribe"))
    return "list_id";
  if (mail.return_path) {
    if (ascii_lower_trim(*mail.return_path).empty() || ascii_lower_trim(*mail.return_path) == "<>")
      return "null_return_path";
    if (daemon_address(*mail.return_path)) return "mailer_daemon";
  }
  if (std::any_of(mail.from.begin(), mail.from.end(),
                  [](const auto& a) { return daemon_address(a.address); }))
    return "mailer_daemon";
  if (mail.from.empty() && (!mail.return_path || mail.return_path->empty())) return "no_sender";
  const std::string mid = ascii_lower_trim(mail.message_id);
  if (const auto at = mid.rfind('@'); at != std::string::npos) {
    std::string dom = mid.substr(at + 1);
    if (!dom.empty() && dom.back() == '>') dom.pop_back();
    for (const auto& d : own_domains)
      if (!d.empty() && dom == d) return "own_message_id";
  }
  return std::nullopt;
}

}  // namespace madoguchi::rules

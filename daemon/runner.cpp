// runner.cpp — see runner.h.
#include "daemon/runner.h"

#include "daemon/dir_sink.h"
#include "daemon/smtp_sink.h"
#include "daemon/imap_source.h"
#include "daemon/maildir_source.h"
#include "templates/variables.h"

#include <iomanip>
#include <ostream>

namespace madoguchi::daemon {

std::optional<Runtime> load_runtime(const MainConfig& config, rules::ConfigErrors& errors,
                                    const std::filesystem::path& tenants_override) {
  rules::PolicySources sources{config.desks_dir, config.tenants_file, config.templates_dir};
  if (!tenants_override.empty()) sources.tenants_file = tenants_override;
  Runtime rt;
  rt.policy = rules::Policy::load(sources, errors);
  std::vector<std::string> overrides;
  if (rt.policy) {
    for (const auto& desk : rt.policy->desks())
      for (const auto& [kind, name] : desk.templates) overrides.push_back(name);
    for (const auto& m : config.mailboxes)
      if (!m.desk.empty() && !rt.policy->desk(m.desk))
        errors.push_back({config.file.string(), 0, 0,
                          "mailbox '" + m.name + "': unknown desk '" + m.desk + "'"});
  }
  // Every template renders with sample values and names only known variables; every
  // template a desk refers to exists. A reload with a broken template is refused.
  for (auto& e : templates::check_templates(config.templates_dir, overrides)) errors.push_back(std::move(e));
  rt.templates = templates::TemplateSet::load(config.templates_dir, errors);
  if (!rt.policy || !rt.templates || !errors.empty()) return std::nullopt;
  return rt;
}

std::unique_ptr<MailSource> make_source(const MailboxConfig& mailbox, Store& store) {
  if (mailbox.url.rfind("maildir:", 0) == 0)
    return std::make_unique<MaildirSource>(mailbox.name, mailbox.url.substr(8));
  return std::make_unique<ImapSource>(mailbox, store);
}

std::unique_ptr<MailSink> make_sink(const SmtpConfig& smtp) {
  if (smtp.url.rfind("dir:", 0) == 0) return std::make_unique<DirSink>(smtp.url.substr(4));
  return std::make_unique<SmtpSink>(smtp_options_from_config(smtp));
}

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
                    p.action, p.ticket.empty() ? "-" : p.ticket, reply, subject});
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

// imap_desk.h — integration-test fixture: a desk served by the real Dovecot and SMTP capture
// server of our kit, with an injected clock. Mail goes in by IMAP APPEND with the
// clock's INTERNALDATE (Python's imaplib) and through intake and the stages; the outbox is
// delivered over SMTP at the clock's time; what the server received is read back by envelope.
// Dovecot replaces APPEND dates in the future with the current time, so scenarios run in
// November 2020, which has the weekdays and the 11/23 holiday of November 2026; the demo
// tenants' contracts are made valid around the fixture's clock (a year either side).
#pragma once

#include "daemon/transport/imap_source.h"
#include "daemon/store/outbox.h"
#include "daemon/service/delivery.h"
#include "daemon/service/bounces.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/service/timed_jobs.h"
#include "daemon/transport/smtp_sink.h"
#include "deployment.h"
#include "mail_servers.h"
#include "parsers/parsed_mail.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace madoguchi::testing {

inline constexpr const char* kDeskStaff = "staff@passlogic-cloud.example.jp";
// What the desk's own MTA (trusted_authserv_ids below) writes on top of a staff member's
// authenticated mail: only such mail speaks as staff.
inline constexpr const char* kStaffAuthenticated =
    "Authentication-Results: mx.passlogic-cloud.example.jp; dkim=pass header.d=passlogic-cloud.example.jp; "
    "dmarc=pass header.from=passlogic-cloud.example.jp\r\n";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Top-level `key: value` lines of `yaml` replace the same keys of the file, the rest is appended.
inline void override_keys(const fs::path& file, const std::string& yaml) {
  std::string text = slurp(file);
  std::string rest;
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    const bool top = !line.empty() && line[0] != ' ' && line[0] != '-' && colon != std::string::npos;
    const std::string key = top ? line.substr(0, colon + 1) : std::string();
    const auto at = top ? text.find("\n" + key) : std::string::npos;
    if (at == std::string::npos) {
      rest += line + "\n";
      continue;
    }
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, line);
  }
  std::ofstream(file) << text << rest;
}

// The shipped desks (`desk_yaml` appended to passlogic-cloud's copy) and templates, the demo
// tenants valid around `clock`, a staff list, the fixture's INBOX over IMAP (STARTTLS, the
// kit's CA) and its SMTP server (`smtp_yaml` appended to the smtp: section).
struct ImapDeployment {
  TempDir dir;
  MainConfig config;
  Runtime runtime;
  ImapDeployment(const MailServers& s, const std::string& desk_yaml, const std::string& smtp_yaml,
                 sys_seconds clock) {
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    fs::copy(src / "config/desks", dir.path / "desks");
    override_keys(dir.path / "desks/passlogic-cloud.yaml", desk_yaml);
    demo_tenants_valid_around(dir.path / "tenants.yaml", clock);
    std::ofstream(dir.path / "imap.pw") << s.password << "\n";
    std::ofstream(dir.path / "madoguchi.yaml")
        << "store: store\ndesks: desks\ntenants: tenants.yaml\n"
        << "templates: " << (src / "templates").string() << "\n"
        << "auto_replies_per_hour: 100\nstaff: [" << kDeskStaff << "]\n"
        << "trusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n"
        << "mailboxes:\n  - name: main\n    url: " << s.imap_url() << "/INBOX\n"
        << "    user: " << s.user << "\n    password_file: imap.pw\n"
        << "    ca_file: " << s.ca_cert().string() << "\n    desk: passlogic-cloud\n"
        << "    first_run_cutoff: 36500d\n    idle: false\n"
        << "smtp:\n  url: " << s.smtp_url() << "\n  allow_plaintext: true\n" << smtp_yaml;
    load_deployment(dir.path / "madoguchi.yaml", config, runtime);
  }
};

struct ImapDesk {
  MailServers servers;
  sys_seconds now = at(2020, 11, 20, 11);  // Friday 11:00 JST, in business hours
  ImapDeployment d;
  Store store{d.config.store};
  Context pipeline = make_context(store, d.config, [this] { return now; }, d.runtime);
  ImapSource source{d.config.mailboxes[0], store};
  SmtpSink sink{smtp_options_from_config(d.config.smtp)};
  DeliveryStats last_round;  // of the last receive()

  explicit ImapDesk(const std::string& desk_yaml = "", const std::string& smtp_yaml = "")
      : d(servers, desk_yaml, smtp_yaml, now) {}

  // One mail into INBOX at `now`, intake, the stages, one outbox round.
  std::vector<ProcessedMail> receive(const std::string& raw) {
    servers.append_to_inbox(raw, now);
    REQUIRE(intake(pipeline, source, d.config.mailboxes[0]) == 1);
    // The server's INTERNALDATE (set by APPEND) is the arrival time the rules see.
    CHECK(count(store, "SELECT received_at FROM messages ORDER BY id DESC LIMIT 1") ==
          now.time_since_epoch().count());
    auto processed = process_pending(pipeline);
    REQUIRE(processed.size() == 1);
    last_round = deliver();
    return processed;
  }
  // The outbox round of `madoguchi run`, with the policy of the smtp: section.
  DeliveryStats deliver() {
    DeliveryPolicy policy;
    policy.max_age = d.config.smtp.max_age;
    policy.hard_bounces_to_suppress = d.config.smtp.bounce_suppress_after;
    policy.suppress_for = d.config.smtp.bounce_suppress_for;
    return deliver_due(store, sink, now, policy);
  }
  // What the SMTP server received for `recipient` (by envelope), oldest first.
  std::vector<std::string> raw_received_by(const std::string& recipient) {
    deliver();
    std::vector<std::string> out;
    for (const auto& eml : servers.captured()) {
      const auto env = nlohmann::json::parse(slurp(fs::path(eml).replace_extension(".json")));
      for (const auto& rcpt : env["rcpt_tos"])
        if (rcpt == recipient) out.push_back(slurp(eml));
    }
    return out;
  }
  std::vector<madoguchi::parsers::ParsedMail> received_by(const std::string& recipient) {
    std::vector<madoguchi::parsers::ParsedMail> out;
    for (const auto& raw : raw_received_by(recipient)) out.push_back(madoguchi::parsers::parse_mail(raw));
    return out;
  }
  madoguchi::parsers::ParsedMail last_mail_to(const std::string& recipient) {
    auto all = received_by(recipient);
    REQUIRE(!all.empty());
    return all.back();
  }
  std::string status(const std::string& number) { return std::string(to_string(load_ticket(store, number)->status)); }
};

}  // namespace madoguchi::testing

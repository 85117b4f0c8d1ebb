// cmd_classify.cpp — `madoguchi classify [--config FILE] [--tenants FILE] [--desk DESK]
// [--mailbox NAME] [--at ISO8601] [--explain] MAIL.eml`: print the decision the daemon would
// take for one mail as one JSON object, so operators can test rule and tenant edits before a SIGHUP
// (OpenSMTPD's `smtpctl trace`, rspamd's per-rule listing). Nothing is stored or sent.
// Exit 0 with the JSON; 1 when the configuration or the mail cannot be read; 2 on usage
// errors (unknown desk or mailbox, bad --at, no desk for the mail).
#include "daemon/cli/cli.h"
#include "daemon/cli/terminal_text.h"
#include "daemon/server/runtime.h"
#include "daemon/service/routing.h"
#include "daemon/service/decision_json.h"
#include "parsers/parsed_mail.h"
#include "rules/calendar.h"
#include "rules/policy.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace madoguchi::daemon {
namespace {

struct ClassifyOptions {
  ConfigOption config;
  std::string tenants, desk, mailbox, at, mail;
  bool explain = false;
};

// The desk the mail is for: --desk, else routed as the daemon routes it (service/routing.h),
// with the desk of --mailbox (default: the first mailbox that has one, as the mail's
// mailbox is unknown). nullptr after printing why.
const rules::Desk* pick_desk(const ClassifyOptions& opt, const MainConfig& cfg, const rules::Policy& policy,
                             const parsers::ParsedMail& mail) {
  if (!opt.desk.empty()) {
    const rules::Desk* desk = policy.desk(opt.desk);
    if (!desk) std::cerr << "madoguchi classify: unknown desk '" << opt.desk << "'\n";
    return desk;
  }
  std::string fallback;
  bool mailbox_found = opt.mailbox.empty();
  for (const auto& m : cfg.mailboxes)
    if (m.name == opt.mailbox) {
      fallback = m.desk;
      mailbox_found = true;
    }
  if (!mailbox_found) {
    std::cerr << "madoguchi classify: unknown mailbox '" << opt.mailbox << "'\n";
    return nullptr;
  }
  if (opt.mailbox.empty())
    for (const auto& m : cfg.mailboxes)
      if (!m.desk.empty()) {
        fallback = m.desk;
        break;
      }
  const Route route = route_mail(policy, mail, fallback);
  if (route.unrouted)
    std::cerr << "madoguchi classify: no desk claims this mail; the daemon opens it on the first desk '"
              << route.desk->id << "', flagged for staff, unanswered (use --desk to try another)\n";
  if (!route.desk) std::cerr << "madoguchi classify: the configuration has no desk\n";
  return route.desk;
}

// --at, else the mail's Date, else now; nullopt after printing a usage error.
std::optional<std::chrono::sys_seconds> receipt_time(const ClassifyOptions& opt, const parsers::ParsedMail& mail) {
  if (opt.at.empty()) return mail.date_utc ? *mail.date_utc : system_now();
  auto t = rules::parse_iso8601(opt.at);
  if (!t) std::cerr << "madoguchi classify: --at must be ISO 8601, e.g. 2026-11-24T10:00:00+09:00\n";
  return t;
}

int classify(const ClassifyOptions& opt) {
  rules::ConfigErrors errors;
  auto cfg = load_main_config(opt.config.resolved(), errors);
  std::shared_ptr<const rules::Policy> policy;
  if (cfg) policy = load_policy(*cfg, errors, opt.tenants);
  if (!policy) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return exit_failure;
  }
  std::ifstream in(opt.mail, std::ios::binary);
  if (!in) {
    std::cerr << "madoguchi classify: cannot read " << opt.mail << '\n';
    return exit_failure;
  }
  std::ostringstream raw;
  raw << in.rdbuf();
  const parsers::ParsedMail mail = parsers::parse_mail(raw.str());
  const rules::Desk* desk = pick_desk(opt, *cfg, *policy, mail);
  if (!desk) return exit_usage;
  const auto at = receipt_time(opt, mail);
  if (!at) return exit_usage;
  const rules::Decision d = policy->decide(mail, *desk, *at, opt.explain);
  std::cout << printable_json(decision_json(d, desk->hours.utc_offset, opt.explain)
                                  .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace))
            << '\n';
  return exit_ok;
}

}  // namespace

Subcommand add_classify_command(CLI::App& root) {
  auto* app = root.add_subcommand("classify", "print the decision for one mail (nothing is stored or sent)");
  auto opt = std::make_shared<ClassifyOptions>();
  add_config_option(*app, opt->config);
  app->add_option("--tenants", opt->tenants, "tenants file (overrides the configuration's `tenants:`)");
  app->add_option("--desk", opt->desk, "desk id (default: routed by the recipients)");
  app->add_option("--mailbox", opt->mailbox,
                  "the mailbox the mail came from: its desk applies when no recipient is a desk "
                  "address (default: the first mailbox that has a desk)");
  app->add_option("--at", opt->at, "receipt time, ISO 8601 (default: the mail's Date, else now)");
  app->add_flag("--explain", opt->explain, "list every rule evaluated and why it did or did not match");
  app->add_option("mail", opt->mail, "the mail (.eml)")->required();
  return {app, [opt] { return classify(*opt); }};
}

}  // namespace madoguchi::daemon

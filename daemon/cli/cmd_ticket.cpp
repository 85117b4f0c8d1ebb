// cmd_ticket.cpp — `madoguchi ticket …`: staff work on tickets from the command line, the
// same operations staff mail performs (service/staff_work.h), and the read views. Outgoing mail is queued in
// the outbox in the same transaction as the change; the running daemon delivers it.
#include "daemon/cli/cli.h"
#include "daemon/cli/terminal_text.h"
#include "daemon/cli/ticket_show.h"
#include "daemon/log/log.h"
#include "daemon/server/daemon.h"
#include "daemon/server/runtime.h"
#include "daemon/service/staff_work.h"
#include "daemon/service/views.h"
#include "rules/calendar.h"
#include "rules/close_reasons.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

namespace madoguchi::daemon {

namespace {

struct TicketOptions {
  ConfigOption config;
  // list
  std::string desk, status, tenant;
  bool overdue = false;
  bool json = false;
  // show / reply / note / status / close / reopen
  std::string number;
  std::string file;
  std::string text;
  std::string new_status;
  std::string reason;
  std::string rule;
  std::string actor;
  int raw = 0;         // show --raw N
  int attachment = 0;  // attachment N
  std::string out;     // attachment --out FILE
};

std::string when(std::chrono::sys_seconds t) { return rules::format_iso8601(t, rules::kJapanOffset); }

std::string default_actor() {
  const char* user = std::getenv("SUDO_USER");
  if (!user || !*user) user = std::getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

// Loads the configuration (and, for staff work, the runtime) and opens the store; prints the
// errors and returns nullptr on failure.
std::unique_ptr<Session> open(const TicketOptions& opt, bool with_runtime) {
  // Commands that change a ticket log their audit event (with the acting user) at info.
  rules::ConfigErrors errors;
  auto config = load_main_config(opt.config.resolved(), errors);
  std::optional<Runtime> runtime;
  if (config && with_runtime) runtime = load_runtime(*config, errors);
  if (!config || (with_runtime && !runtime)) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return nullptr;
  }
  if (with_runtime) init_cli_logging(config->log_level, !config->log_personal_data);
  else init_logging("warn", !config->log_personal_data);
  try {
    return open_session(*config, system_now, std::move(runtime));
  } catch (const std::exception& e) {
    std::cerr << "madoguchi ticket: " << e.what() << '\n';
    return nullptr;
  }
}

std::vector<std::string> settable_statuses() {
  std::vector<std::string> out;
  for (auto name : StateNames<TicketStatus>::names)
    if (is_settable_status(*parse_state<TicketStatus>(name))) out.emplace_back(name);
  return out;
}

std::vector<std::string> close_reason_names() {
  std::vector<std::string> out;
  for (const auto& r : rules::close_reasons()) out.emplace_back(r.name);
  return out;
}

int cmd_list(const TicketOptions& opt) {
  auto s = open(opt, false);
  if (!s) return exit_failure;
  TicketFilter filter;
  filter.desk = opt.desk;
  filter.tenant = opt.tenant;
  if (!opt.status.empty()) filter.status = parse_state<TicketStatus>(opt.status);
  if (opt.overdue) filter.overdue_at = system_now();
  nlohmann::json rows = nlohmann::json::array();
  for (const TicketRow& t : ticket_list(*s->store, filter)) {
    rows.push_back({{"number", t.number},
                    {"desk", t.desk},
                    {"tenant", t.tenant.value_or("")},
                    {"requester", t.requester},
                    {"status", to_string(t.status)},
                    {"flagged", t.flagged},
                    {"subject", t.subject},
                    {"received_at", when(t.received_at)},
                    {"accepted_at", when(t.accepted_at)},
                    {"first_response_due", t.first_response_due ? nlohmann::json(when(*t.first_response_due))
                                                                : nlohmann::json(nullptr)},
                    {"outcome", t.outcome},
                    {"rule", t.rule.value_or("")}});
  }
  if (opt.json) {
    std::cout << printable_json(rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
    return exit_ok;
  }
  std::cout << "number      status            flag  desk             due                        requester / subject\n";
  for (const auto& r : rows) {
    std::string due = r["first_response_due"].is_null() ? "-" : std::string(r["first_response_due"]);
    std::printf("%-11s %-17s %-5s %-16s %-26s %s  %s\n", std::string(r["number"]).c_str(),
                std::string(r["status"]).c_str(), r["flagged"].get<bool>() ? "!" : "",
                std::string(r["desk"]).c_str(), due.c_str(), printable(std::string(r["requester"])).c_str(),
                printable(std::string(r["subject"])).c_str());
  }
  std::cout << rows.size() << " ticket(s)\n";
  return exit_ok;
}

// What the operator is told once an action is committed: what happened, and for mail when
// it leaves (the running daemon's outbox pickup, daemon.h).
std::string done_text(const std::string& what, const StaffAction& a) {
  const std::string when_sent = "queued; a running madoguchi daemon sends it within " +
                                std::to_string(Daemon::kOutboxPickup.count() + 1) + " s (madoguchi ticket show " +
                                a.ticket + " shows its state)";
  if (what == "reply") return "reply " + when_sent;
  if (what == "note") return "note recorded (internal, never sent)";
  if (what == "status") return "status set to " + std::string(to_string(*a.status));
  if (what == "close") return "closed (" + std::string(rules::to_string(*a.reason)) + "); closing notice " + when_sent;
  if (what == "refuse") return "closed (out_of_scope); refusal " + when_sent;
  return "reopened";
}

// reply / note / status / close / reopen / refuse: one transaction through the staff
// operations of service/staff_work.h, so the CLI and staff e-mail behave the same. Exit 0
// done, 1 refused (already closed, no such rule) or failed, 2 bad usage.
int cmd_act(const TicketOptions& opt, const std::string& what) {
  StaffAction a;
  const auto number = normalize_ticket_number(opt.number);
  if (!number) {
    std::cerr << "madoguchi ticket " << what << ": '" << printable(opt.number) << "' is not a ticket number\n";
    return exit_usage;
  }
  a.ticket = *number;
  a.actor = opt.actor.empty() ? default_actor() : opt.actor;
  a.text = opt.text;
  a.rule = opt.rule;
  if (!opt.file.empty()) {
    std::ifstream in(opt.file == "-" ? "/dev/stdin" : opt.file, std::ios::binary);
    if (!in) {
      std::cerr << "madoguchi ticket " << what << ": cannot read " << opt.file << '\n';
      return exit_failure;
    }
    a.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if ((what == "reply" || what == "note") && a.text.empty()) {
    std::cerr << "madoguchi ticket " << what << ": the " << what << " text is empty (give --text or --file)\n";
    return exit_usage;
  }
  if (what == "reply") a.kind = StaffActionKind::reply;
  else if (what == "note") a.kind = StaffActionKind::note;
  else if (what == "status") a.kind = StaffActionKind::status, a.status = parse_state<TicketStatus>(opt.new_status);
  else if (what == "close") a.kind = StaffActionKind::close, a.reason = rules::parse_close_reason(opt.reason);
  else if (what == "refuse") a.kind = StaffActionKind::refuse;
  else a.kind = StaffActionKind::reopen;
  auto s = open(opt, true);
  if (!s) return exit_failure;
  const StaffActionResult r = run_staff_action(*s->ctx, a);
  using Code = StaffActionResult::Code;
  if (r.code != Code::done) {
    std::cerr << "madoguchi ticket " << what << ": " << r.message << '\n';
    return exit_failure;
  }
  const Event event = what == "reply"    ? Event::ticket_reply
                      : what == "note"   ? Event::ticket_note
                      : what == "status" ? Event::ticket_status
                      : what == "close"  ? Event::ticket_close
                      : what == "refuse" ? Event::ticket_refuse
                                         : Event::ticket_reopen;
  log_event(spdlog::level::info, event, {{"ticket", a.ticket}, {"actor", a.actor}});
  std::cout << a.ticket << ": " << done_text(what, a) << '\n';
  return exit_ok;
}

int cmd_show(const TicketOptions& opt) {
  auto s = open(opt, false);
  if (!s) return exit_failure;
  return show_ticket(*s, opt.number, opt.raw);
}

int cmd_attachment(const TicketOptions& opt) {
  auto s = open(opt, false);
  if (!s) return exit_failure;
  return extract_attachment(*s, opt.number, opt.attachment, opt.out);
}

}  // namespace

Subcommand add_ticket_command(CLI::App& root) {
  auto opt = std::make_shared<TicketOptions>();
  auto* app = root.add_subcommand("ticket", "list, show and work tickets");
  app->require_subcommand(1);
  app->fallthrough();  // `ticket list --config F` as well as `ticket --config F list`
  add_config_option(*app, opt->config);
  auto selected = std::make_shared<std::string>();

  auto* list = app->add_subcommand("list", "list tickets (table, or --json)");
  list->add_option("--desk", opt->desk, "only this desk");
  list->add_option("--status", opt->status, "only this status")
      ->check(CLI::IsMember(std::vector<std::string>(StateNames<TicketStatus>::names.begin(),
                                                     StateNames<TicketStatus>::names.end())));
  list->add_option("--tenant", opt->tenant, "only this tenant id");
  list->add_flag("--overdue", opt->overdue, "only tickets past their first-response due time without a staff reply");
  list->add_flag("--json", opt->json, "JSON instead of a table");
  list->callback([selected] { *selected = "list"; });

  auto number_arg = [&](CLI::App* sub) {
    sub->add_option("number", opt->number, "ticket number: 123, MG-000123 or [#MG-000123-xyz]")->required();
  };
  auto* show = app->add_subcommand("show", "a ticket's messages with their text, decisions, due times, outgoing mail and history");
  number_arg(show);
  show->add_option("--raw", opt->raw, "print the original bytes of message N (as numbered by show) instead")
      ->check(CLI::Range(1, 1000000));
  show->callback([selected] { *selected = "show"; });

  auto* attachment = app->add_subcommand("attachment", "write one attachment of a ticket to a file");
  number_arg(attachment);
  attachment->add_option("n", opt->attachment, "the attachment's number (as `ticket show` lists them)")
      ->required()
      ->check(CLI::Range(1, 1000000));
  attachment->add_option("--out", opt->out, "the file to create (never overwritten), - for stdout")->required();
  attachment->callback([selected] { *selected = "attachment"; });

  auto* reply = app->add_subcommand("reply", "send a reply to the requester in the desk's reply template");
  number_arg(reply);
  auto* src = reply->add_option("--file", opt->file, "the reply text (UTF-8; - for stdin)");
  reply->add_option("--text", opt->text, "the reply text")->excludes(src);
  reply->add_option("--as", opt->actor, "who replies (recorded in the history)");
  reply->callback([selected] { *selected = "reply"; });

  auto* note = app->add_subcommand("note", "add an internal note (never sent to the customer)");
  number_arg(note);
  auto* nsrc = note->add_option("--file", opt->file, "the note text (- for stdin)");
  note->add_option("--text", opt->text, "the note text")->excludes(nsrc);
  note->add_option("--as", opt->actor, "who writes the note");
  note->callback([selected] { *selected = "note"; });

  auto* status = app->add_subcommand("status", "set the status (closing goes through `close`)");
  number_arg(status);
  status->add_option("status", opt->new_status, "new status")
      ->required()
      ->check(CLI::IsMember(settable_statuses()));
  status->add_option("--as", opt->actor, "who changes it");
  status->callback([selected] { *selected = "status"; });

  auto* close = app->add_subcommand("close", "close with a completion reason and send the closing notice");
  number_arg(close);
  close->add_option("--reason", opt->reason, "completion reason (Q&A の完了)")
      ->required()
      ->check(CLI::IsMember(close_reason_names()));
  close->add_option("--as", opt->actor, "who closes it");
  close->callback([selected] { *selected = "close"; });

  auto* refuse = app->add_subcommand(
      "refuse", "send the out-of-scope refusal of the ticket's rule (or --rule ID) with its reason, and close");
  number_arg(refuse);
  refuse->add_option("--rule", opt->rule, "the desk's out-of-scope rule to refuse by (default: the rule that decided the ticket)");
  refuse->add_option("--as", opt->actor, "who refuses it");
  refuse->callback([selected] { *selected = "refuse"; });

  auto* reopen = app->add_subcommand("reopen", "reopen a closed ticket");
  number_arg(reopen);
  reopen->add_option("--as", opt->actor, "who reopens it");
  reopen->callback([selected] { *selected = "reopen"; });

  return {app, [opt, selected] {
            if (*selected == "list") return cmd_list(*opt);
            if (*selected == "show") return cmd_show(*opt);
            if (*selected == "attachment") return cmd_attachment(*opt);
            return cmd_act(*opt, *selected);
          }};
}

}  // namespace madoguchi::daemon

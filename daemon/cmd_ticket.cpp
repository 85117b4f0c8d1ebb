// cmd_ticket.cpp — `madoguchi ticket …`: staff work on tickets from the command line, the
// same operations staff mail performs (daemon/pipeline.h staff_*). Outgoing mail is queued in
// the outbox in the same transaction as the change; the running daemon delivers it.
#include "daemon/cli.h"
#include "daemon/log.h"
#include "daemon/pipeline.h"
#include "daemon/runner.h"
#include "daemon/staff_mail.h"
#include "daemon/store.h"
#include "rules/calendar.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

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
  std::string actor;
};

std::string normalize_number(std::string n) {
  // Accept "123", "MG-000123" and "[#MG-000123-k7q]".
  if (auto tag = find_ticket_tag(n)) return tag->number;
  if (!n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return ticket_number(std::stoll(n));
  return n;
}

std::string when(std::int64_t unix_seconds) {
  return rules::format_iso8601(from_unix(unix_seconds), std::chrono::hours(9));
}

std::string default_actor() {
  const char* user = std::getenv("SUDO_USER");
  if (!user || !*user) user = std::getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

// Loads the configuration and opens the store; prints errors and returns nullopt on failure.
struct Session {
  MainConfig config;
  std::unique_ptr<Store> store;
};
std::optional<Session> open_session(const TicketOptions& opt) {
  rules::ConfigErrors errors;
  auto config = load_main_config(opt.config.resolved(), errors);
  if (!config) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return std::nullopt;
  }
  init_logging("warn", !config->log_personal_data);
  Session s{*config, std::make_unique<Store>(config->store)};
  return s;
}

int cmd_list(const TicketOptions& opt) {
  auto s = open_session(opt);
  if (!s) return exit_failure;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string sql =
      "SELECT number, desk, COALESCE(tenant, ''), requester, status, flagged, subject, "
      "received_at, accepted_at, first_response_due, outcome, COALESCE(rule, '') FROM tickets WHERE 1 = 1";
  if (!opt.desk.empty()) sql += " AND desk = :desk";
  if (!opt.status.empty()) sql += " AND status = :status";
  if (!opt.tenant.empty()) sql += " AND tenant = :tenant";
  if (opt.overdue)
    sql += std::string(" AND ") + kOverdueCondition;
  sql += " ORDER BY id";
  SQLite::Statement q(s->store->db(), sql);
  if (!opt.desk.empty()) q.bind(":desk", opt.desk);
  if (!opt.status.empty()) q.bind(":status", opt.status);
  if (!opt.tenant.empty()) q.bind(":tenant", opt.tenant);
  if (opt.overdue) q.bind(":now", to_unix(now));
  nlohmann::json rows = nlohmann::json::array();
  while (q.executeStep()) {
    nlohmann::json r{{"number", q.getColumn(0).getString()},
                     {"desk", q.getColumn(1).getString()},
                     {"tenant", q.getColumn(2).getString()},
                     {"requester", q.getColumn(3).getString()},
                     {"status", q.getColumn(4).getString()},
                     {"flagged", q.getColumn(5).getInt() != 0},
                     {"subject", q.getColumn(6).getString()},
                     {"received_at", when(q.getColumn(7).getInt64())},
                     {"accepted_at", when(q.getColumn(8).getInt64())},
                     {"first_response_due", q.getColumn(9).isNull() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(when(q.getColumn(9).getInt64()))},
                     {"outcome", q.getColumn(10).getString()},
                     {"rule", q.getColumn(11).getString()}};
    rows.push_back(std::move(r));
  }
  if (opt.json) {
    std::cout << rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return exit_ok;
  }
  std::cout << "number      status            flag  desk             due                        requester / subject\n";
  for (const auto& r : rows) {
    std::string status = r["status"];
    std::string desk = r["desk"];
    std::string due = r["first_response_due"].is_null() ? "-" : std::string(r["first_response_due"]);
    std::printf("%-11s %-17s %-5s %-16s %-26s %s  %s\n", std::string(r["number"]).c_str(),
                status.c_str(), r["flagged"].get<bool>() ? "!" : "", desk.c_str(), due.c_str(),
                std::string(r["requester"]).c_str(), std::string(r["subject"]).c_str());
  }
  std::cout << rows.size() << " ticket(s)\n";
  return exit_ok;
}

int cmd_show(const TicketOptions& opt) {
  auto s = open_session(opt);
  if (!s) return exit_failure;
  auto& db = s->store->db();
  const std::string number = normalize_number(opt.number);
  SQLite::Statement t(db,
                      "SELECT id, number, desk, COALESCE(tenant,'-'), requester, subject, status, "
                      "outcome, COALESCE(rule,'-'), COALESCE(reason,'-'), flagged, received_at, "
                      "accepted_at, first_response_due, closed_at, COALESCE(close_reason,'-'), "
                      "parent_id FROM tickets WHERE number = ?");
  t.bind(1, number);
  if (!t.executeStep()) {
    std::cerr << "madoguchi ticket show: no ticket " << number << '\n';
    return exit_failure;
  }
  const std::int64_t id = t.getColumn(0).getInt64();
  std::cout << "ticket      " << t.getColumn(1).getString() << '\n'
            << "desk        " << t.getColumn(2).getString() << '\n'
            << "tenant      " << t.getColumn(3).getString() << '\n'
            << "requester   " << t.getColumn(4).getString() << '\n'
            << "subject     " << t.getColumn(5).getString() << '\n'
            << "status      " << t.getColumn(6).getString()
            << (t.getColumn(10).getInt() ? "  (flagged for staff)" : "") << '\n'
            << "decision    " << t.getColumn(7).getString() << " rule=" << t.getColumn(8).getString()
            << " reason=" << t.getColumn(9).getString() << '\n'
            << "received    " << when(t.getColumn(11).getInt64()) << '\n'
            << "accepted    " << when(t.getColumn(12).getInt64()) << '\n'
            << "due         " << (t.getColumn(13).isNull() ? "-" : when(t.getColumn(13).getInt64())) << '\n';
  if (!t.getColumn(14).isNull())
    std::cout << "closed      " << when(t.getColumn(14).getInt64()) << " (" << t.getColumn(15).getString() << ")\n";
  if (!t.getColumn(16).isNull())
    std::cout << "continues   " << ticket_number(t.getColumn(16).getInt64()) << '\n';
  std::cout << "\nmessages\n";
  SQLite::Statement m(db,
                      "SELECT id, received_at, COALESCE(sender,''), COALESCE(subject,''), "
                      "COALESCE(identity,''), COALESCE(outcome,''), COALESCE(warnings,'') "
                      "FROM messages WHERE ticket_id = ? ORDER BY id");
  m.bind(1, id);
  while (m.executeStep())
    std::cout << "  #" << m.getColumn(0).getInt64() << "  " << when(m.getColumn(1).getInt64()) << "  "
              << m.getColumn(2).getString() << "  " << m.getColumn(3).getString() << "  ["
              << m.getColumn(4).getString() << ", " << m.getColumn(5).getString()
              << (m.getColumn(6).getString().empty() ? "" : ", warnings: " + m.getColumn(6).getString())
              << "]\n";
  std::cout << "\noutgoing\n";
  SQLite::Statement o(db,
                      "SELECT created_at, kind, COALESCE(template,''), recipient, state, attempts, "
                      "COALESCE(last_reply,'') FROM outbox WHERE ticket_id = ? ORDER BY id");
  o.bind(1, id);
  while (o.executeStep())
    std::cout << "  " << when(o.getColumn(0).getInt64()) << "  " << o.getColumn(1).getString() << " ("
              << o.getColumn(2).getString() << ") to " << o.getColumn(3).getString() << "  "
              << o.getColumn(4).getString() << " after " << o.getColumn(5).getInt() << " attempt(s)"
              << (o.getColumn(6).getString().empty() ? "" : ": " + o.getColumn(6).getString()) << '\n';
  std::cout << "\nhistory\n";
  SQLite::Statement e(db, "SELECT at, actor, event, COALESCE(detail,'') FROM ticket_events WHERE ticket_id = ? ORDER BY id");
  e.bind(1, id);
  while (e.executeStep())
    std::cout << "  " << when(e.getColumn(0).getInt64()) << "  " << e.getColumn(1).getString() << "  "
              << e.getColumn(2).getString() << "  " << e.getColumn(3).getString() << '\n';
  return exit_ok;
}

// reply / note / status / close / reopen: one transaction through the pipeline's staff
// operations, so the CLI and staff e-mail behave the same.
int cmd_act(const TicketOptions& opt, const std::string& what) {
  auto s = open_session(opt);
  if (!s) return exit_failure;
  rules::ConfigErrors errors;
  auto runtime = load_runtime(s->config, errors);
  if (!runtime) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return exit_failure;
  }
  Pipeline pipeline(*s->store, s->config, [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  });
  pipeline.set_runtime(*runtime);
  auto& db = s->store->db();
  const std::string number = normalize_number(opt.number);
  auto ticket = load_ticket(db, number);
  if (!ticket) {
    std::cerr << "madoguchi ticket " << what << ": no ticket " << number << '\n';
    return exit_failure;
  }
  std::string text = opt.text;
  if (!opt.file.empty()) {
    try {
      text = read_file(opt.file == "-" ? "/dev/stdin" : opt.file);
    } catch (const std::exception& e) {
      std::cerr << "madoguchi ticket " << what << ": " << e.what() << '\n';
      return exit_failure;
    }
  }
  const std::string actor = opt.actor.empty() ? default_actor() : opt.actor;
  try {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    if (what == "reply") {
      if (text.empty()) throw std::invalid_argument("the reply text is empty");
      pipeline.staff_reply(*ticket, text, actor);
    } else if (what == "note") {
      if (text.empty()) throw std::invalid_argument("the note text is empty");
      pipeline.staff_note(*ticket, text, actor);
    } else if (what == "status") {
      pipeline.staff_status(*ticket, opt.new_status, actor);
    } else if (what == "close") {
      // Like reopen of an open ticket: the operator's picture of the ticket is off; say so.
      if (ticket->status == "closed") throw std::invalid_argument("ticket is already closed");
      pipeline.staff_close(*ticket, opt.reason, actor);
    } else if (what == "reopen") {
      if (ticket->status != "closed") throw std::invalid_argument("ticket is not closed");
      pipeline.staff_status(*ticket, "open", actor);
    }
    tx.commit();
  } catch (const std::invalid_argument& e) {
    std::cerr << "madoguchi ticket " << what << ": " << e.what() << '\n';
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "madoguchi ticket " << what << ": " << e.what() << '\n';
    return exit_failure;
  }
  log_event(spdlog::level::info, "ticket_" + what, {{"ticket", number}, {"actor", actor}});
  std::cout << number << ": " << what << " done\n";
  return exit_ok;
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
      ->check(CLI::IsMember({"queued", "open", "investigating", "waiting_customer", "awaiting_purchase", "closed"}));
  list->add_option("--tenant", opt->tenant, "only this tenant id");
  list->add_flag("--overdue", opt->overdue, "only tickets past their first-response due time without a staff reply");
  list->add_flag("--json", opt->json, "JSON instead of a table");
  list->callback([selected] { *selected = "list"; });

  auto number_arg = [&](CLI::App* sub) {
    sub->add_option("number", opt->number, "ticket number: 123, MG-000123 or [#MG-000123-xyz]")->required();
  };
  auto* show = app->add_subcommand("show", "a ticket's messages, decisions, due times and history");
  number_arg(show);
  show->callback([selected] { *selected = "show"; });

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
      ->check(CLI::IsMember({"open", "investigating", "waiting_customer", "awaiting_purchase"}));
  status->add_option("--as", opt->actor, "who changes it");
  status->callback([selected] { *selected = "status"; });

  auto* close = app->add_subcommand("close", "close with a completion reason and send the closing notice");
  number_arg(close);
  close->add_option("--reason", opt->reason, "completion reason (Q&A の完了)")
      ->required()
      ->check(CLI::IsMember(close_reasons()));
  close->add_option("--as", opt->actor, "who closes it");
  close->callback([selected] { *selected = "close"; });

  auto* reopen = app->add_subcommand("reopen", "reopen a closed ticket");
  number_arg(reopen);
  reopen->add_option("--as", opt->actor, "who reopens it");
  reopen->callback([selected] { *selected = "reopen"; });

  return {app, [opt, selected] {
            if (*selected == "list") return cmd_list(*opt);
            if (*selected == "show") return cmd_show(*opt);
            return cmd_act(*opt, *selected);
          }};
}

}  // namespace madoguchi::daemon

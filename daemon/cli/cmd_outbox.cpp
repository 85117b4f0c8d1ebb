// cmd_outbox.cpp — `madoguchi outbox list [--state S] [--json]` and `madoguchi outbox retry
// ID|--all-failed`: what the outbox holds in each state and why (the server's last reply),
// and the way back for failed mail once its cause is fixed: failed -> pending, due now, sent
// by the daemon's next outbox round (service/outbox_admin.h does the work).
#include "daemon/cli/cli.h"
#include "daemon/cli/outbox_rows.h"
#include "daemon/cli/terminal_text.h"
#include "daemon/server/runtime.h"
#include "daemon/service/outbox_admin.h"

#include <iostream>
#include <memory>

namespace madoguchi::daemon {
namespace {

struct OutboxOptions {
  ConfigOption config;
  std::string state;  // list
  bool json = false;  // list
  std::int64_t id = 0;      // retry
  bool all_failed = false;  // retry
};

int cmd_list(const OutboxOptions& opt) {
  std::optional<OutboxState> state;
  if (!opt.state.empty()) state = parse_state<OutboxState>(opt.state);
  auto s = open_store_session(opt.config, "outbox");
  if (!s) return exit_failure;
  const auto rows = outbox_list(*s->store, state);
  if (opt.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const OutboxListing& r : rows) out.push_back(outbox_row_json(r));
    std::cout << printable_json(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
    return exit_ok;
  }
  std::cout << outbox_table_header() << '\n';
  for (const OutboxListing& r : rows) std::cout << outbox_table_line(r) << '\n';
  std::cout << rows.size() << " outgoing mail(s)\n";
  return exit_ok;
}

int cmd_retry(const OutboxOptions& opt) {
  if (opt.all_failed == (opt.id != 0)) {
    std::cerr << "madoguchi outbox retry: give an outbox ID or --all-failed\n";
    return exit_usage;
  }
  auto s = open_store_session(opt.config, "outbox");
  if (!s) return exit_failure;
  const auto now = system_now();
  const OutboxRetryResult r =
      opt.all_failed ? retry_all_failed_outbox_mail(*s->store, now) : retry_outbox_mail(*s->store, opt.id, now);
  switch (r.code) {
    case OutboxRetryResult::Code::not_found:
      std::cerr << "madoguchi outbox retry: no outgoing mail " << opt.id << '\n';
      return exit_failure;
    case OutboxRetryResult::Code::not_failed:
      std::cerr << "madoguchi outbox retry: outgoing mail " << opt.id << " is not failed\n";
      return exit_usage;
    case OutboxRetryResult::Code::retried:
      break;
  }
  std::cout << r.count << " outgoing mail(s) set back to pending; the next outbox round sends them\n";
  return exit_ok;
}

}  // namespace

Subcommand add_outbox_command(CLI::App& root) {
  auto opt = std::make_shared<OutboxOptions>();
  auto* app = root.add_subcommand("outbox", "outgoing mail: list by state, retry failed mail");
  app->require_subcommand(1, 1);
  app->fallthrough();  // `outbox list --config F` as well as `outbox --config F list`
  add_config_option(*app, opt->config);
  std::vector<std::string> states;
  for (auto name : StateNames<OutboxState>::names) states.emplace_back(name);
  auto* list = app->add_subcommand("list", "outgoing mail, oldest first, with the server's last reply");
  list->add_option("--state", opt->state, "only mail in this state")->check(CLI::IsMember(states));
  list->add_flag("--json", opt->json, "JSON instead of a table");
  auto* retry = app->add_subcommand("retry", "set failed outgoing mail back to pending, due now");
  retry->add_option("id", opt->id, "the row's id (from `outbox list`)");
  retry->add_flag("--all-failed", opt->all_failed, "every failed outgoing mail");
  return {app, [opt, list, retry] {
            if (list->parsed()) return cmd_list(*opt);
            if (retry->parsed()) return cmd_retry(*opt);
            return exit_usage;
          }};
}

}  // namespace madoguchi::daemon

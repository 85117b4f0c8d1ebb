// cmd_message.cpp — `madoguchi message list [--state S]` and `madoguchi message retry
// ID|--all`: what the store holds of incoming mail in each state, and the way back for a
// failed message after the operator fixed its cause (service/message_admin.h does the work).
#include "daemon/cli/cli.h"
#include "daemon/server/runtime.h"
#include "daemon/service/message_admin.h"
#include "daemon/service/ticket_tags.h"
#include "rules/calendar.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace madoguchi::daemon {
namespace {

struct MessageOptions {
  ConfigOption config;
  std::string state;  // list
  std::int64_t id = 0;  // retry
  bool all = false;     // retry
};

int cmd_list(const MessageOptions& opt) {
  std::optional<MessageState> state;
  if (!opt.state.empty()) state = parse_state<MessageState>(opt.state);
  auto s = open_store_session(opt.config, "message");
  if (!s) return exit_failure;
  const auto rows = message_list(*s->store, state);
  std::cout << "id      state       mailbox       received                   sender / subject / error\n";
  for (const MessageListing& m : rows) {
    std::printf("%-7lld %-11s %-13s %-26s %s  %s%s%s\n", static_cast<long long>(m.id),
                std::string(to_string(m.state)).c_str(), m.mailbox.c_str(),
                rules::format_iso8601(m.received_at, rules::kJapanOffset).c_str(), m.sender.c_str(),
                display_subject(m.subject).c_str(), m.error.empty() ? "" : "  error: ", m.error.c_str());
  }
  std::cout << rows.size() << " message(s)\n";
  return exit_ok;
}

int cmd_retry(const MessageOptions& opt) {
  if (opt.all == (opt.id != 0)) {
    std::cerr << "madoguchi message retry: give a message ID or --all\n";
    return exit_usage;
  }
  auto s = open_store_session(opt.config, "message");
  if (!s) return exit_failure;
  const MessageRetryResult r = opt.all ? retry_all_failed_messages(*s->store) : retry_message(*s->store, opt.id);
  switch (r.code) {
    case MessageRetryResult::Code::not_found:
      std::cerr << "madoguchi message retry: no message " << opt.id << '\n';
      return exit_failure;
    case MessageRetryResult::Code::not_failed:
      std::cerr << "madoguchi message retry: message " << opt.id << " is not failed\n";
      return exit_usage;
    case MessageRetryResult::Code::retried:
      break;
  }
  std::cout << r.count << " message(s) set back to fetched; the next pass runs them\n";
  return exit_ok;
}

}  // namespace

Subcommand add_message_command(CLI::App& root) {
  auto opt = std::make_shared<MessageOptions>();
  auto* app = root.add_subcommand("message", "stored incoming mail: list by state, retry failed messages");
  app->require_subcommand(1, 1);
  app->fallthrough();  // `message list --config F` as well as `message --config F list`
  add_config_option(*app, opt->config);
  std::vector<std::string> states;
  for (auto name : StateNames<MessageState>::names) states.emplace_back(name);
  auto* list = app->add_subcommand("list", "incoming messages, oldest first");
  list->add_option("--state", opt->state, "only messages in this state")->check(CLI::IsMember(states));
  auto* retry = app->add_subcommand("retry", "set failed messages back to fetched for the next pass");
  retry->add_option("id", opt->id, "the message's id (from `message list`)");
  retry->add_flag("--all", opt->all, "every failed message");
  return {app, [opt, list, retry] {
            if (list->parsed()) return cmd_list(*opt);
            if (retry->parsed()) return cmd_retry(*opt);
            return exit_usage;
          }};
}

}  // namespace madoguchi::daemon

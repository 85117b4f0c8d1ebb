// cmd_deliver.cpp — `madoguchi deliver`: one mail on standard input (an MTA pipe), through
// the same intake as every mailbox (a stdin source), then the stages. Exit 75 (EX_TEMPFAIL)
// when the mail could not be stored, so the MTA keeps it and retries; once it is stored,
// processing problems are the daemon's to retry and the exit is 0.
#include "daemon/cli/cli.h"
#include "daemon/log/log.h"
#include "daemon/server/factories.h"
#include "daemon/server/runtime.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"

#include <iostream>
#include <memory>

namespace madoguchi::daemon {
namespace {

struct DeliverOptions {
  ConfigOption config;
  std::string mailbox = "stdin";
};

int deliver(const DeliverOptions& opt) {
  rules::ConfigErrors errors;
  auto config = load_main_config(opt.config.resolved(), errors);
  if (!config) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return exit_tempfail;  // the MTA keeps the mail and retries after the operator's fix
  }
  init_logging(config->log_level, !config->log_personal_data);
  // The named mailbox's limits and desk; a name the configuration lacks gets the defaults.
  MailboxConfig mailbox;
  mailbox.name = opt.mailbox;
  for (const auto& m : config->mailboxes)
    if (m.name == opt.mailbox) mailbox = m;
  try {
    auto session = open_session(*config, system_now);
    auto source = make_stdin_source(mailbox, std::cin);
    intake(*session->ctx, *source, mailbox);
    // Stored: the MTA's job is done. Processing problems are the daemon's to retry.
    if (auto runtime = load_runtime(*config, errors)) {
      session->ctx->runtime = std::move(*runtime);
      process_pending(*session->ctx);
    } else {
      for (const auto& e : errors) log_event(spdlog::level::err, Event::config_error, {{"error", e.to_string()}});
    }
  } catch (const std::exception& e) {
    std::cerr << "madoguchi deliver: " << e.what() << '\n';
    return exit_tempfail;
  }
  spdlog::shutdown();
  return exit_ok;
}

}  // namespace

Subcommand add_deliver_command(CLI::App& root) {
  auto opt = std::make_shared<DeliverOptions>();
  auto* app = root.add_subcommand(
      "deliver", "store one mail read from standard input (for an MTA pipe); exit 75 if it "
                 "could not be stored");
  add_config_option(*app, opt->config);
  app->add_option("--mailbox", opt->mailbox, "mailbox name recorded for the mail")->capture_default_str();
  return {app, [opt] { return deliver(*opt); }};
}

}  // namespace madoguchi::daemon

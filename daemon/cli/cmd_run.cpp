// cmd_run.cpp — `madoguchi run`: the daemon until SIGTERM, or one pass with --once
// (server/daemon.h does the work).
#include "daemon/cli/cli.h"
#include "daemon/cli/summary.h"
#include "daemon/log/log.h"
#include "daemon/server/daemon.h"

#include <iostream>
#include <memory>

namespace madoguchi::daemon {
namespace {

struct RunOptions {
  ConfigOption config;
  bool once = false;
  bool summary = false;
};

int run(const RunOptions& opt) {
  auto daemon = Daemon::open(opt.config.resolved(), std::cerr);
  if (!daemon) return exit_failure;
  int rc = exit_ok;
  if (opt.once) {
    const auto processed = daemon->run_pass();
    if (opt.summary) print_summary(processed, std::cout);
    log_event(spdlog::level::info, Event::daemon_stopped, {{"processed", std::to_string(processed.size())}});
  } else {
    rc = daemon->run();
  }
  daemon.reset();
  spdlog::shutdown();
  return rc;
}

}  // namespace

Subcommand add_run_command(CLI::App& root) {
  auto opt = std::make_shared<RunOptions>();
  auto* app = root.add_subcommand("run", "run the daemon (until SIGTERM), or one pass with --once");
  add_config_option(*app, opt->config);
  app->add_flag("--once", opt->once, "process what is there, deliver the outbox, and exit");
  app->add_flag("--summary", opt->summary, "with --once: print a table of what was done");
  return {app, [opt] { return run(*opt); }};
}

}  // namespace madoguchi::daemon

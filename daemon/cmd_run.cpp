// cmd_run.cpp — `madoguchi run` (the daemon, or one pass with --once) and `madoguchi deliver`
// (one mail on stdin, for an MTA pipe).
//
// The daemon is one Boost.Asio loop: a poll timer per pass, SIGTERM/SIGINT to stop, SIGHUP to
// reload (parse -> validate -> compile, then swap; on error the old runtime stays), and
// sd_notify READY/RELOADING/STOPPING/WATCHDOG for systemd's Type=notify.
#include "daemon/cli.h"
#include "daemon/log.h"
#include "daemon/outbox.h"
#include "daemon/runner.h"
#include "daemon/store.h"

#include <boost/asio.hpp>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <iterator>
#include <memory>

namespace madoguchi::daemon {

namespace {

std::chrono::sys_seconds system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void print_errors(const rules::ConfigErrors& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << '\n';
}

struct RunOptions {
  ConfigOption config;
  bool once = false;
  bool summary = false;
};

// One pass: every mailbox's intake (a failing mailbox does not stop the others), then every
// pending message through the stages, then the outbox.
std::vector<ProcessedMail> run_pass(Pipeline& pipeline, Store& store, MailSink& sink,
                                    std::vector<std::unique_ptr<MailSource>>& sources) {
  const auto& mailboxes = pipeline.config().mailboxes;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    try {
      pipeline.intake(*sources[i], mailboxes[i]);
    } catch (const std::exception& e) {
      log_event(spdlog::level::err, "mailbox_failed",
                {{"mailbox", mailboxes[i].name}, {"error", e.what()}});
    }
  }
  auto processed = pipeline.process_pending();
  try {
    pipeline.release_queued();
    pipeline.auto_close();
    pipeline.report_overdue();
  } catch (const std::exception& e) {
    log_event(spdlog::level::err, "queue_failed", {{"error", e.what()}});
  }
  const SmtpConfig& smtp = pipeline.config().smtp;
  DeliveryPolicy policy;
  policy.max_age = smtp.max_age;
  policy.hard_bounces_to_suppress = smtp.bounce_suppress_after;
  policy.suppress_for = smtp.bounce_suppress_for;
  deliver_due(store.db(), sink, system_now(), policy);
  return processed;
}

int run_daemon(const RunOptions& opt) {
  rules::ConfigErrors errors;
  auto config = load_main_config(opt.config.resolved(), errors);
  if (!config) {
    print_errors(errors);
    return exit_failure;
  }
  init_logging(config->log_level, !config->log_personal_data);
  auto runtime = load_runtime(*config, errors);
  if (!runtime) {
    print_errors(errors);
    return exit_failure;
  }
  Store store(config->store);
  std::vector<std::unique_ptr<MailSource>> sources;
  std::unique_ptr<MailSink> sink;
  try {
    for (const auto& m : config->mailboxes) sources.push_back(make_source(m, store));
    sink = make_sink(config->smtp);
  } catch (const std::exception& e) {
    std::cerr << "madoguchi run: " << e.what() << '\n';
    return exit_failure;
  }
  Pipeline pipeline(store, *config, system_now);
  pipeline.set_runtime(*runtime);
  log_event(spdlog::level::info, "daemon_started",
            {{"config", config->file.string()}, {"mailboxes", std::to_string(sources.size())},
             {"desks", std::to_string(runtime->policy->desks().size())}});

  if (opt.once) {
    auto processed = run_pass(pipeline, store, *sink, sources);
    if (opt.summary) print_summary(processed, std::cout);
    log_event(spdlog::level::info, "daemon_stopped", {{"processed", std::to_string(processed.size())}});
    spdlog::shutdown();
    return exit_ok;
  }

  boost::asio::io_context io;
  boost::asio::steady_timer poll(io);
  boost::asio::steady_timer watchdog(io);
  boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  boost::asio::signal_set reload_signal(io, SIGHUP);
  std::chrono::seconds interval{60};
  for (const auto& m : config->mailboxes) interval = std::min(interval, m.poll_interval);
  if (interval < std::chrono::seconds(1)) interval = std::chrono::seconds(1);

  std::function<void()> schedule_poll = [&] {
    poll.expires_after(interval);
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      run_pass(pipeline, store, *sink, sources);
      schedule_poll();
    });
  };
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    sd_notify(0, "STOPPING=1");
    log_event(spdlog::level::info, "daemon_stopping", {{"signal", std::to_string(signo)}});
    io.stop();
  });
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      sd_notify(0, "RELOADING=1");
      rules::ConfigErrors reload_errors;
      auto fresh = load_runtime(*config, reload_errors);
      if (fresh) {
        pipeline.set_runtime(*fresh);
        log_event(spdlog::level::info, "reload_succeeded",
                  {{"desks", std::to_string(fresh->policy->desks().size())}});
      } else {
        for (const auto& e : reload_errors)
          log_event(spdlog::level::err, "reload_failed", {{"error", e.to_string()}});
        log_event(spdlog::level::warn, "reload_kept_previous", {});
      }
      sd_notify(0, "READY=1");
      wait_reload();
    });
  };
  wait_reload();

  std::uint64_t watchdog_usec = 0;
  std::function<void()> kick_watchdog = [&] {
    sd_notify(0, "WATCHDOG=1");
    watchdog.expires_after(std::chrono::microseconds(watchdog_usec / 2));
    watchdog.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) kick_watchdog();
    });
  };
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) kick_watchdog();

  // New mail seen by a watching source (IMAP IDLE) triggers a pass at once; several
  // notifications while a pass is queued collapse into one.
  auto pass_queued = std::make_shared<std::atomic<bool>>(false);
  for (auto& s : sources) {
    s->watch([&io, &pipeline, &store, &sink, &sources, pass_queued] {
      if (pass_queued->exchange(true)) return;
      boost::asio::post(io, [&pipeline, &store, &sink, &sources, pass_queued] {
        pass_queued->store(false);
        run_pass(pipeline, store, *sink, sources);
      });
    });
  }

  run_pass(pipeline, store, *sink, sources);
  sd_notify(0, "READY=1");
  log_event(spdlog::level::info, "daemon_ready", {{"poll_seconds", std::to_string(interval.count())}});
  schedule_poll();
  io.run();
  for (auto& s : sources) s->stop_watching();
  log_event(spdlog::level::info, "daemon_stopped", {});
  spdlog::shutdown();
  return exit_ok;
}

struct DeliverOptions {
  ConfigOption config;
  std::string mailbox = "stdin";
};

int run_deliver(const DeliverOptions& opt) {
  rules::ConfigErrors errors;
  auto config = load_main_config(opt.config.resolved(), errors);
  if (!config) {
    print_errors(errors);
    return exit_tempfail;  // the MTA keeps the mail and retries after the operator's fix
  }
  init_logging(config->log_level, !config->log_personal_data);
  // At most the mailbox's max_message_size is kept (the rest is read and dropped, so the MTA
  // sees the whole mail taken); a cut mail is ticketed for staff and never answered.
  std::size_t limit = MailboxConfig{}.max_message_size;
  for (const auto& m : config->mailboxes)
    if (m.name == opt.mailbox) limit = m.max_message_size;
  std::string raw;
  bool oversize = false;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    const auto n = static_cast<std::size_t>(std::cin.gcount());
    const std::size_t keep = raw.size() < limit ? std::min(n, limit - raw.size()) : 0;
    raw.append(buf, keep);
    oversize = oversize || keep < n || raw.size() >= limit;
  }
  if (std::cin.bad()) {
    std::cerr << "madoguchi deliver: cannot read standard input\n";
    return exit_tempfail;
  }
  try {
    Store store(config->store);
    IntakeRecord rec;
    rec.mailbox = opt.mailbox;
    rec.source_key = "stdin:" + sha256_hex(raw);
    rec.received_at = system_now();
    rec.oversize = oversize;
    rec.suppress_auto_reply = oversize;
    const auto r = store.store_incoming(rec, raw);
    log_event(spdlog::level::info, r.duplicate ? "mail_duplicate" : "mail_stored",
              {{"mailbox", opt.mailbox}, {"message", std::to_string(r.message_id)},
               {"size", std::to_string(raw.size())}});
    // Stored: the MTA's job is done. Processing problems are the daemon's to retry.
    auto runtime = load_runtime(*config, errors);
    if (runtime) {
      Pipeline pipeline(store, *config, system_now);
      pipeline.set_runtime(*runtime);
      pipeline.process_pending();
    } else {
      for (const auto& e : errors) log_event(spdlog::level::err, "config_error", {{"error", e.to_string()}});
    }
  } catch (const std::exception& e) {
    std::cerr << "madoguchi deliver: " << e.what() << '\n';
    return exit_tempfail;
  }
  spdlog::shutdown();
  return exit_ok;
}

}  // namespace

Subcommand add_run_command(CLI::App& root) {
  auto opt = std::make_shared<RunOptions>();
  auto* app = root.add_subcommand("run", "run the daemon (until SIGTERM), or one pass with --once");
  add_config_option(*app, opt->config);
  app->add_flag("--once", opt->once, "process what is there, deliver the outbox, and exit");
  app->add_flag("--summary", opt->summary, "with --once: print a table of what was done");
  return {app, [opt] { return run_daemon(*opt); }};
}

Subcommand add_deliver_command(CLI::App& root) {
  auto opt = std::make_shared<DeliverOptions>();
  auto* app = root.add_subcommand(
      "deliver", "store one mail read from standard input (for an MTA pipe); exit 75 if it "
                 "could not be stored");
  add_config_option(*app, opt->config);
  app->add_option("--mailbox", opt->mailbox, "mailbox name recorded for the mail")
      ->capture_default_str();
  return {app, [opt] { return run_deliver(*opt); }};
}

}  // namespace madoguchi::daemon

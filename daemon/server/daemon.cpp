// daemon.cpp — see daemon.h.
#include "daemon/server/daemon.h"

#include "daemon/log/log.h"
#include "daemon/server/factories.h"
#include "daemon/server/notify.h"
#include "daemon/service/delivery.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/service/timed_jobs.h"
#include "daemon/store/run_lock.h"

#include <boost/asio.hpp>

#include <algorithm>
#include <atomic>
#include <functional>

namespace madoguchi::daemon {

namespace asio = boost::asio;

namespace {
// Less free space than this on the store's file system, when opening fails, is a full disk.
constexpr std::uintmax_t kStoreHeadroom = 256 * 1024;
}  // namespace

std::unique_ptr<Daemon> Daemon::open(const std::filesystem::path& config_file, std::ostream& err) {
  rules::ConfigErrors errors;
  auto print = [&] {
    for (const auto& e : errors) err << e.to_string() << '\n';
  };
  auto config = load_main_config(config_file, errors);
  if (!config) return print(), nullptr;
  init_logging(config->log_level, !config->log_personal_data);
  auto runtime = load_runtime(*config, errors);
  if (!runtime) return print(), nullptr;
  try {
    auto session = open_session(*config, system_now, std::move(*runtime));
    std::vector<std::unique_ptr<MailSource>> sources;
    for (const auto& m : config->mailboxes) sources.push_back(make_source(m, *session->store));
    auto sink = make_sink(config->smtp);
    log_event(spdlog::level::info, Event::daemon_started,
              {{"config", config->file.string()}, {"mailboxes", std::to_string(sources.size())},
               {"desks", std::to_string(session->ctx->policy().desks().size())}});
    if (config->staff_authentication_from_header && !config->staff.empty())
      log_event(spdlog::level::warn, Event::staff_authentication_off,
                {{"config", config->file.string()}, {"staff", std::to_string(config->staff.size())}});
    return std::unique_ptr<Daemon>(new Daemon(std::move(session), std::move(sources), std::move(sink)));
  } catch (const std::exception& e) {
    // SQLite cannot even open its -shm/-wal files on a full disk ("disk I/O error"): say
    // what the operator must fix.
    std::error_code ec;
    const auto space = std::filesystem::space(config->store, ec);
    const bool full = is_store_full(e) || (!ec && space.available < kStoreHeadroom);
    if (full)
      log_event(spdlog::level::err, Event::store_full,
                {{"during", "open"}, {"store", config->store.string()}, {"available", std::to_string(space.available)}});
    err << "madoguchi run: " << e.what() << (full ? " (the store's disk is full)" : "") << '\n';
    return nullptr;
  }
}

Daemon::Daemon(std::unique_ptr<Session> session, std::vector<std::unique_ptr<MailSource>> sources,
               std::unique_ptr<MailSink> sink)
    : session_(std::move(session)), sources_(std::move(sources)), sink_(std::move(sink)) {}

Daemon::~Daemon() = default;

namespace {

// The event of a failure: the store's own (busy, full) before `otherwise`.
Event store_event(const std::exception& e, Event otherwise) {
  return is_busy(e) ? Event::store_busy : is_store_full(e) ? Event::store_full : otherwise;
}

// One step of a pass; whatever it throws (a locked database, a bug) is logged and the pass
// and the loop go on: the step is tried again on the next pass.
template <class F>
void guarded(const char* step, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log_event(spdlog::level::err, store_event(e, Event::pass_step_failed), {{"during", step}, {"error", e.what()}});
  }
}

}  // namespace

std::vector<ProcessedMail> Daemon::run_pass() {
  Context& ctx = *session_->ctx;
  const auto& mailboxes = session_->config.mailboxes;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    try {
      intake(ctx, *sources_[i], mailboxes[i], notify_watchdog);
    } catch (const std::exception& e) {
      // A full disk stops intake here: nothing was marked on the server, the next pass retries.
      log_event(spdlog::level::err, store_event(e, Event::mailbox_failed),
                {{"mailbox", mailboxes[i].name}, {"error", e.what()}});
    }
  }
  // The watchdog is kicked between mails, not only between passes: a pass over a large
  // backlog (or one slow mail) must not look like a hung daemon to systemd.
  std::vector<ProcessedMail> processed;
  guarded("stages", [&] { processed = process_pending(ctx, notify_watchdog); });
  try {
    release_queued(ctx);
    auto_close(ctx);
    report_overdue(ctx);
  } catch (const std::exception& e) {
    log_event(spdlog::level::err, Event::queue_failed, {{"error", e.what()}});
  }
  guarded("outbox", [&] { deliver_due(ctx.store, *sink_, system_now(), ctx.settings.delivery, notify_watchdog); });
  return processed;
}

// The event loop's parts; each handler re-arms itself.
struct Daemon::Loop {
  Daemon& d;
  asio::io_context io;
  asio::steady_timer poll{io};
  asio::steady_timer watchdog{io};
  asio::steady_timer outbox{io};
  asio::signal_set stop_signals{io, SIGTERM, SIGINT};
  asio::signal_set reload_signal{io, SIGHUP};
  std::chrono::seconds interval{60};
  std::shared_ptr<std::atomic<bool>> pass_queued = std::make_shared<std::atomic<bool>>(false);

  explicit Loop(Daemon& daemon) : d(daemon) {
    for (const auto& m : d.session_->config.mailboxes) interval = std::min(interval, m.poll_interval);
    interval = std::max(interval, std::chrono::seconds(1));
  }

  void schedule_poll() {
    poll.expires_after(interval);
    poll.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      d.run_pass();
      schedule_poll();
    });
  }

  // Due outgoing mail is sent within kOutboxPickup of being queued, whoever queued it; a due
  // check that finds nothing is one indexed read. When the server refused the session, the
  // pickup rests until the next poll: the passes retry it, not a connection every second.
  std::chrono::steady_clock::time_point pickup_rests_until{};
  void schedule_outbox() {
    outbox.expires_after(kOutboxPickup);
    outbox.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (std::chrono::steady_clock::now() >= pickup_rests_until) {
        Context& ctx = *d.session_->ctx;
        guarded("outbox", [&] {
          if (deliver_due(ctx.store, *d.sink_, system_now(), ctx.settings.delivery, notify_watchdog).server_unreachable)
            pickup_rests_until = std::chrono::steady_clock::now() + interval;
        });
      }
      schedule_outbox();
    });
  }

  void wait_stop() {
    stop_signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      notify_stopping();
      log_event(spdlog::level::info, Event::daemon_stopping, {{"signal", std::to_string(signo)}});
      io.stop();
    });
  }

  // Parse -> validate -> compile, then swap; on any error the old runtime stays.
  void reload() {
    notify_reloading();
    rules::ConfigErrors errors;
    if (auto fresh = load_runtime(d.session_->config, errors)) {
      d.session_->ctx->runtime = std::move(*fresh);
      log_event(spdlog::level::info, Event::reload_succeeded,
                {{"desks", std::to_string(d.session_->ctx->policy().desks().size())}});
    } else {
      for (const auto& e : errors) log_event(spdlog::level::err, Event::reload_failed, {{"error", e.to_string()}});
      log_event(spdlog::level::warn, Event::reload_kept_previous, {});
    }
    notify_ready();
  }

  void wait_reload() {
    reload_signal.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      reload();
      wait_reload();
    });
  }

  void kick_watchdog(std::chrono::microseconds every) {
    notify_watchdog();
    watchdog.expires_after(every);
    watchdog.async_wait([this, every](const boost::system::error_code& ec) {
      if (!ec) kick_watchdog(every);
    });
  }

  // New mail seen by a watching source (IMAP IDLE) triggers a pass at once; several
  // notifications while a pass is queued collapse into one.
  void watch_sources() {
    for (auto& s : d.sources_) {
      s->watch([this, queued = pass_queued] {
        if (queued->exchange(true)) return;
        asio::post(io, [this, queued] {
          queued->store(false);
          d.run_pass();
        });
      });
    }
  }
};

int Daemon::run() {
  // One long-running daemon per store; held until the process ends.
  const auto lock = RunLock::try_acquire(session_->store->dir());
  if (!lock) {
    log_event(spdlog::level::err, Event::run_locked,
              {{"store", session_->store->dir().string()}, {"lock", (session_->store->dir() / "run.lock").string()}});
    return 1;
  }
  Loop loop(*this);
  loop.wait_stop();
  loop.wait_reload();
  if (const auto every = watchdog_kick_interval()) loop.kick_watchdog(*every);
  loop.watch_sources();
  run_pass();
  notify_ready();
  log_event(spdlog::level::info, Event::daemon_ready, {{"poll_seconds", std::to_string(loop.interval.count())}});
  loop.schedule_poll();
  loop.schedule_outbox();
  loop.io.run();
  for (auto& s : sources_) s->stop_watching();
  log_event(spdlog::level::info, Event::daemon_stopped, {});
  return 0;
}

}  // namespace madoguchi::daemon

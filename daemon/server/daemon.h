// daemon.h — `madoguchi run`: the process. One pass reads every mailbox (a failing mailbox
// does not stop the others), runs every pending message through the stages, the timed
// ticket jobs, then the outbox. The loop is one Boost.Asio io_context: a poll timer, IDLE
// wake-ups posted from the sources' threads, SIGTERM/SIGINT to stop, SIGHUP to reload
// (the old runtime stays on any error), and the systemd watchdog.
#pragma once

#include "daemon/server/runtime.h"
#include "daemon/service/processed_mail.h"
#include "daemon/transport/mail_sink.h"
#include "daemon/transport/mail_source.h"

#include <filesystem>
#include <memory>
#include <chrono>
#include <ostream>
#include <vector>

namespace madoguchi::daemon {

class Daemon {
 public:
  // Loads the configuration and the runtime, opens the store, makes the sources and the sink,
  // and logs daemon_started; nullptr after printing every error to `err`.
  static std::unique_ptr<Daemon> open(const std::filesystem::path& config_file, std::ostream& err);
  ~Daemon();

  std::vector<ProcessedMail> run_pass();
  // How soon the running daemon sends mail another process queued (`ticket reply` from the
  // CLI, `deliver`): the outbox is looked at this often between passes, as Postfix's pickup
  // looks at its maildrop.
  static constexpr std::chrono::seconds kOutboxPickup{1};
  // Runs until SIGTERM/SIGINT; returns the exit code: 1 (run_locked logged) when another
  // `madoguchi run` holds the store's run.lock.
  int run();

 private:
  Daemon(std::unique_ptr<Session> session, std::vector<std::unique_ptr<MailSource>> sources,
         std::unique_ptr<MailSink> sink);
  struct Loop;

  std::unique_ptr<Session> session_;
  std::vector<std::unique_ptr<MailSource>> sources_;
  std::unique_ptr<MailSink> sink_;
};

}  // namespace madoguchi::daemon

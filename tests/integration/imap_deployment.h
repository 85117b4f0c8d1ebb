// imap_deployment.h — integration-test fixture for IMAP intake: a deployment reading the
// real Dovecot's INBOX (STARTTLS or IMAPS, the kit's certificate verified), and counts of what
// the server holds taken by doveadm, not by our code.
#pragma once

#include "daemon/server/config.h"
#include "daemon/server/runtime.h"
#include "daemon/service/intake.h"
#include "deployment.h"
#include "mail_servers.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

namespace madoguchi::testing {

inline madoguchi::testing::MailServerOptions dovecot_only() {
  madoguchi::testing::MailServerOptions o;
  o.start_smtp = false;
  return o;
}

inline sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline std::string shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

// The kit's environment for this fixture's instance (the same as MailServers passes).
inline std::string kit_env(const MailServers& s) {
  return "MAILTEST_BASE='" + s.base().string() + "' IMAP_PORT=" + std::to_string(s.imap_port) +
         " IMAPS_PORT=" + std::to_string(s.imaps_port) + " LMTP_PORT=" + std::to_string(s.lmtp_port) +
         " SMTP_PORT=" + std::to_string(s.smtp_port) + " MAIL_USERS='" + s.user + ":" + s.password + "'";
}

inline std::string doveadm(const MailServers& s, const std::string& args) {
  return shell("doveadm -c '" + s.dovecot_conf().string() + "' " + args + " 2>&1");
}

// UIDs in `folder` matching an IMAP search key, counted by doveadm (not by our code). doveadm
// prints one "<mailbox GUID> <UID>" line per mail; anything else (a missing folder prints one
// error line and exits non-zero) fails the test instead of counting as a mail.
inline int server_count(const MailServers& s, const std::string& query, const std::string& folder = "INBOX") {
  const std::string cmd = "doveadm -c '" + s.dovecot_conf().string() + "' search -u " + s.user +
                          " mailbox '" + folder + "' " + query + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  INFO("doveadm search " << folder << " " << query << ": " << out);
  REQUIRE(status == 0);
  static const std::regex line("[0-9a-f]{32} [1-9][0-9]*");
  int n = 0;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l); ++n) REQUIRE(std::regex_match(l, line));
  return n;
}

// A deployment reading the fixture's INBOX over IMAP; the demo tenants' contracts are valid
// around the wall clock, which is the arrival time Dovecot stamps and the pipeline's clock.
struct ImapDeployment {
  TempDir dir;
  MainConfig config;
  Runtime runtime;
  ImapDeployment(const MailServers& s, bool imaps, const std::string& extra_mailbox_yaml = "",
                 const std::string& cutoff = "36500d") {
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    std::ofstream(dir.path / "imap.pw") << s.password << "\n";
    std::ofstream(dir.path / "madoguchi.yaml")
        << "store: store\n"
        << "desks: " << (src / "config/desks").string() << "\n"
        << "tenants: " << demo_tenants_valid_around(dir.path / "tenants.yaml", wall_now()).string() << "\n"
        << "templates: " << (src / "templates").string() << "\n"
        << "auto_replies_per_hour: 100000\n"
        << "mailboxes:\n  - name: main\n    url: " << s.imap_url(imaps) << "/INBOX\n"
        << "    user: " << s.user << "\n    password_file: imap.pw\n"
        << "    ca_file: " << s.ca_cert().string() << "\n    desk: passlogic-cloud\n"
        << "    first_run_cutoff: " << cutoff << "\n" << extra_mailbox_yaml
        << "smtp:\n  url: dir:sent\n";
    load_deployment(dir.path / "madoguchi.yaml", config, runtime);
  }
  const MailboxConfig& mailbox() const { return config.mailboxes[0]; }
};

// One pass of intake as the daemon runs it: a failed connection (mailbox_failed) is caught,
// and the next pass reconnects after the source's backoff (set it short in the test).
inline void intake_pass(Context& ctx, MailSource& source, const MailboxConfig& mailbox) {
  try {
    intake(ctx, source, mailbox);
  } catch (const SourceError&) {
    // a failed connection, as the daemon's pass sees it; retried
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace madoguchi::testing

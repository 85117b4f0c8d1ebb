// The daemon binary over the real Dovecot and SMTP capture server: IMAP IDLE brings a new mail
// to an acknowledgement within seconds although polling is hourly, a server without IDLE is
// polled instead, and a mailbox whose server is down does not stop the others.
#include <doctest/doctest.h>

#include "../integration/deployment.h"
#include "../integration/mail_servers.h"
#include "daemon_process.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using madoguchi::testing::DaemonProcess;
using madoguchi::testing::MailServerOptions;
using madoguchi::testing::MailServers;
using madoguchi::testing::run_madoguchi;
using madoguchi::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::string question(const std::string& subject, const std::string& msgid) {
  return "From: it-admin@sakura-giken.co.jp\r\nTo: passlogic-support@madoguchi.example.jp\r\n"
         "Subject: " + subject + "\r\nMessage-ID: <" + msgid + ">\r\n"
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
         "管理画面の操作について教えてください。\r\n";
}

// The shipped desks and templates, the demo tenants valid around today (identity is decided
// at the arrival time, which is the wall clock); `mailboxes` is the YAML list's body.
fs::path write_config(const fs::path& dir, const std::string& mailboxes, const std::string& smtp_url) {
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  const fs::path cfg = dir / "madoguchi.yaml";
  std::ofstream(cfg) << "store: store\n"
                     << "desks: " << (src / "config/desks").string() << "\n"
                     << "tenants: "
                     << madoguchi::testing::demo_tenants_valid_around(dir / "tenants.yaml",
                                                                      madoguchi::testing::wall_clock_now())
                            .string()
                     << "\n"
                     << "templates: " << (src / "templates").string() << "\n"
                     << "mailboxes:\n" << mailboxes
                     << "smtp:\n  url: " << smtp_url << "\n  allow_plaintext: true\n";
  return cfg;
}

std::string imap_mailbox(const std::string& name, const std::string& url, const MailServers& s,
                         const std::string& extra = "") {
  return "  - name: " + name + "\n    url: " + url + "/INBOX\n    user: " + s.user +
         "\n    password_env: MADOGUCHI_TEST_IMAP_PASSWORD\n    ca_file: " + s.ca_cert().string() +
         "\n    desk: passlogic-cloud\n" + extra;
}

long long count(const fs::path& db, const std::string& sql) {
  return madoguchi::testing::store_count(db, sql);
}

}  // namespace

TEST_CASE("idle: a new mail is acknowledged at SMTP within seconds although polling is hourly") {
  MailServers servers;
  TempDir dir;
  const fs::path cfg = write_config(
      dir.path, imap_mailbox("main", servers.imap_url(), servers, "    poll_interval: 3600s\n"), servers.smtp_url());
  DaemonProcess daemon({"run", "--config", cfg.string()}, dir.path / "daemon.log",
                       {"MADOGUCHI_TEST_IMAP_PASSWORD=" + servers.password});
  INFO(daemon.log());
  // The first pass (empty INBOX) is over and the watcher is idling.
  REQUIRE(daemon.wait_for_log("event=imap_idle_started", 20s));
  std::this_thread::sleep_for(500ms);
  REQUIRE(servers.captured().empty());

  const auto t0 = std::chrono::steady_clock::now();
  servers.deliver_to_inbox(question("IDLEの確認", "idle-1@sakura-giken.co.jp"));
  while (servers.captured().empty() && std::chrono::steady_clock::now() - t0 < 20s)
    std::this_thread::sleep_for(20ms);
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  MESSAGE("arrival in Dovecot -> acknowledgement at SMTP: " << waited.count() << " ms");
  REQUIRE(!servers.captured().empty());
  CHECK(waited < 10s);  // an hourly poll would not have found it yet
  CHECK(daemon.log().find("event=imap_idle_woke") != std::string::npos);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(10s) == 0);
}

TEST_CASE("mailboxes: a mailbox whose server is down does not stop the others") {
  MailServers servers;
  TempDir dir;
  const int dead_port = madoguchi::testing::free_loopback_port();  // nothing listens there
  const fs::path cfg = write_config(
      dir.path,
      imap_mailbox("dead", "imaps://127.0.0.1:" + std::to_string(dead_port), servers) +
          imap_mailbox("live", servers.imap_url(), servers),
      servers.smtp_url());
  servers.deliver_to_inbox(question("生きている方", "live-1@sakura-giken.co.jp"));
  setenv("MADOGUCHI_TEST_IMAP_PASSWORD", servers.password.c_str(), 1);
  const auto r = run_madoguchi({"run", "--once", "--config", cfg.string()});
  unsetenv("MADOGUCHI_TEST_IMAP_PASSWORD");
  INFO(r.output);
  CHECK(r.output.find("event=mailbox_failed mailbox=dead") != std::string::npos);
  const fs::path db = dir.path / "store" / "madoguchi.db";
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE mailbox = 'live' AND state = 'ticketed'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement' AND state = 'sent'") == 1);
  CHECK(servers.captured().size() == 1);  // the acknowledgement (no staff list configured)
}

TEST_CASE("idle: a server without IDLE is polled at poll_interval, and its mail is still acknowledged") {
  MailServerOptions o;
  // Dovecot's own list (2.3) without IDLE.
  o.imap_capability = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES "
                      "MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
                      "CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS "
                      "BINARY MOVE SPECIAL-USE";
  MailServers servers(o);
  TempDir dir;
  const fs::path cfg = write_config(
      dir.path, imap_mailbox("main", servers.imap_url(), servers, "    poll_interval: 2s\n"), servers.smtp_url());
  DaemonProcess daemon({"run", "--config", cfg.string()}, dir.path / "daemon.log",
                       {"MADOGUCHI_TEST_IMAP_PASSWORD=" + servers.password});
  REQUIRE_MESSAGE(daemon.wait_for_log("event=imap_idle_unsupported", 20s), daemon.log());
  REQUIRE_MESSAGE(daemon.wait_for_log("event=daemon_ready", 20s), daemon.log());

  const auto t0 = std::chrono::steady_clock::now();
  servers.deliver_to_inbox(question("IDLEなしの確認", "no-idle-1@sakura-giken.co.jp"));
  while (servers.captured().empty() && std::chrono::steady_clock::now() - t0 < 20s)
    std::this_thread::sleep_for(50ms);
  const std::string log = daemon.log();
  INFO(log);
  REQUIRE(servers.captured().size() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);  // a pass every 2 s found it
  // Found by a poll, never by IDLE: the watcher gave up at once and did not retry.
  CHECK(log.find("event=imap_idle_started") == std::string::npos);
  CHECK(log.find("event=imap_idle_woke") == std::string::npos);
  CHECK(log.find("event=imap_idle_failed") == std::string::npos);
  CHECK(count(dir.path / "store" / "madoguchi.db",
              "SELECT COUNT(*) FROM messages WHERE state = 'ticketed' AND mailbox = 'main'") == 1);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(10s) == 0);
}

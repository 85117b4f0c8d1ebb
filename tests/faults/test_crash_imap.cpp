// Crash safety of IMAP intake on the real binary (SPEC.md §11 "a crash at any moment loses no
// mail and opens no ticket twice"): 500 mails in the real Dovecot, `madoguchi run` killed with
// SIGKILL and restarted 20 times, each kill paced by the store's progress (ten rounds during
// intake, ten during the stages), then one last run to the end. Afterwards
// exactly 500 messages and 500 tickets, no mail twice, no acknowledgement twice, and every mail
// marked \Seen on the server.
#include <doctest/doctest.h>

#include "system/daemon_process.h"
// The mail-server fixture of the integration tests (tests/CMakeLists.txt links its source in).
#include "integration/deployment.h"
#include "integration/mail_servers.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using madoguchi::testing::DaemonProcess;
using madoguchi::testing::MailServers;
using madoguchi::testing::run_madoguchi;
using namespace std::chrono_literals;

namespace {

madoguchi::testing::MailServerOptions dovecot_only() {
  madoguchi::testing::MailServerOptions o;
  o.start_smtp = false;
  return o;
}

long long count(const fs::path& db, const std::string& sql) {
  return madoguchi::testing::store_count(db, sql);
}

}  // namespace

TEST_CASE("crash: SIGKILL at random moments while ingesting 500 IMAP mails, 20 rounds") {
  MailServers servers(dovecot_only());
  const fs::path dir = servers.base() / "deployment";
  const fs::path mails = dir / "mails";
  fs::create_directories(mails);
  for (int i = 0; i < 500; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%04d.eml", i);
    std::ofstream(mails / name, std::ios::binary)
        << "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
        << "Subject: 質問 No." << i << "\r\nMessage-ID: <crash-" << i << "@sakura-giken.co.jp>\r\n"
        << "Date: Fri, 20 Nov 2026 11:00:00 +0900\r\nMIME-Version: 1.0\r\n"
        << "Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面の操作について教えてください。番号 " << i << "\r\n";
  }
  const std::string env = "MAILTEST_BASE='" + servers.base().string() + "' IMAP_PORT=" +
                          std::to_string(servers.imap_port) + " IMAPS_PORT=" + std::to_string(servers.imaps_port) +
                          " LMTP_PORT=" + std::to_string(servers.lmtp_port) + " MAIL_USERS='support:secret'";
  REQUIRE(std::system((env + " RESET=1 SOURCE_DIR='" + mails.string() + "' bash '" +
                       (madoguchi::testing::mail_server_kit() / "fill-mailbox.sh").string() +
                       "' 500 maildir >/dev/null 2>&1").c_str()) == 0);
  servers.stamp_arrivals(madoguchi::testing::wall_clock_now());  // arrived now, by this process's clock

  const fs::path src(MADOGUCHI_SOURCE_DIR);
  std::ofstream(dir / "imap.pw") << servers.password << "\n";
  const fs::path cfg = dir / "madoguchi.yaml";
  std::ofstream(cfg) << "store: store\n"
                     << "desks: " << (src / "config/desks").string() << "\n"
                     << "tenants: "  // valid around today: identity is decided at the arrival time
                     << madoguchi::testing::demo_tenants_valid_around(dir / "tenants.yaml",
                                                                      madoguchi::testing::wall_clock_now())
                            .string()
                     << "\n"
                     << "templates: " << (src / "templates").string() << "\n"
                     << "auto_replies_per_hour: 100000\n"
                     // A killed round has used the attempt at the mail it was in; that mail is
                     // taken again when the attempt's lease ends.
                     << "message_time_limit: 10s\n"
                     << "mailboxes:\n  - name: main\n    url: " << servers.imap_url(false) << "/INBOX\n"
                     << "    user: support\n    password_file: imap.pw\n"
                     << "    ca_file: " << servers.ca_cert().string() << "\n    desk: passlogic-cloud\n"
                     << "    poll_interval: 1s\n"
                     << "smtp:\n  url: dir:sent\n";

  // Each round is killed while work remains: after the store has advanced by a random 1-25
  // steps (a step = a mail stored or a mail ticketed; 1,000 in all), so the kills land in
  // intake and in the stages rather than on an idle daemon; one round in four
  // is killed after a random 30-150 ms instead (start-up, login, the first FETCH).
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> steps(1, 25), delay_ms(30, 150), coin(0, 3);
  const fs::path db = dir / "store" / "madoguchi.db";
  auto progress = [&]() -> long long {
    if (!fs::exists(db)) return 0;
    try {
      return count(db, "SELECT COUNT(*) + SUM(state = 'ticketed') FROM messages");
    } catch (const std::exception&) {
      return -1;  // the schema is being created: try again
    }
  };
  int killed_mid_work = 0;
  for (int round = 0; round < 20; ++round) {
    const long long start = std::max(progress(), 0LL);
    DaemonProcess daemon({"run", "--config", cfg.string()}, dir / "daemon.log");
    if (coin(rng) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    } else {
      // Rounds 0-9 kill during intake, rounds 10-19 once all is stored, during the stages.
      const long long target = (round < 10 ? start : std::max(start, 500LL)) + steps(rng);
      const auto give_up = std::chrono::steady_clock::now() + 20s;
      while (progress() < target && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(2ms);
    }
    daemon.kill_hard();
    killed_mid_work += progress() < 1000;
  }
  const long long before_last = fs::exists(db) ? count(db, "SELECT COUNT(*) FROM messages") : 0;
  MESSAGE("messages stored during the 20 killed rounds: " << before_last << ", rounds killed with work left: "
                                                           << killed_mid_work);
  CHECK(killed_mid_work >= 15);  // the kills interrupted real work
  CHECK(before_last == 500);     // some rounds were killed in the stages, after intake
  CHECK(progress() < 1000);      // and the last start still has some to finish
  // The last start runs to the end (twice: the second finds nothing to do), once the leases of
  // the attempts the kills interrupted have ended.
  std::this_thread::sleep_for(11s);
  for (int i = 0; i < 2; ++i) {
    auto r = run_madoguchi({"run", "--once", "--config", cfg.string()});
    INFO(r.output.substr(r.output.size() > 2000 ? r.output.size() - 2000 : 0));
    REQUIRE(r.exit_code == 0);
  }
  CHECK(count(db, "SELECT COUNT(*) FROM messages") == 500);
  CHECK(count(db, "SELECT COUNT(DISTINCT message_id) FROM messages") == 500);
  CHECK(count(db, "SELECT COUNT(DISTINCT sha256) FROM messages") == 500);
  CHECK(count(db, "SELECT COUNT(*) FROM tickets") == 500);
  CHECK(count(db, "SELECT COUNT(DISTINCT ticket_id) FROM messages WHERE ticket_id IS NOT NULL") == 500);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state != 'ticketed'") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM (SELECT cause_message FROM outbox WHERE kind = 'acknowledgement' "
                  "GROUP BY cause_message HAVING COUNT(*) > 1)") == 0);
  CHECK(count(db, "SELECT COUNT(DISTINCT cause_message) FROM outbox WHERE kind = 'acknowledgement'") == 500);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE state != 'sent'") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM imap_unmarked") == 0);
  const std::string seen = "doveadm -c '" + servers.dovecot_conf().string() +
                           "' search -u support mailbox INBOX SEEN | wc -l";
  FILE* p = ::popen(seen.c_str(), "r");
  REQUIRE(p);
  int n = 0;
  CHECK(std::fscanf(p, "%d", &n) == 1);
  ::pclose(p);
  CHECK(n == 500);
}

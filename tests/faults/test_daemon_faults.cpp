// Reliability of the real binary (issue 14): the systemd watchdog is kicked between mails,
// so a long pass is not taken for a hung daemon (systemd's notify protocol is a datagram on
// $NOTIFY_SOCKET; the test binds that socket itself and reads what the daemon says); a
// database locked by another process does not end it.
#include <doctest/doctest.h>

#include "integration/deployment.h"
#include "daemon/store/messages.h"
#include "daemon/store/store.h"
#include "system/daemon_process.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <csignal>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using madoguchi::testing::DaemonProcess;
using madoguchi::daemon::IntakeRecord;
using madoguchi::daemon::Store;
using madoguchi::daemon::store_incoming;

namespace {

struct RunDir {
  fs::path path;
  RunDir() {
    path = fs::temp_directory_path() / ("madoguchi-rel-" + std::to_string(std::random_device{}()));
    for (const char* sub : {"new", "cur", "tmp"}) fs::create_directories(path / "Maildir" / sub);
  }
  ~RunDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path config() const {
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    const fs::path cfg = path / "madoguchi.yaml";
    std::ofstream(cfg) << "store: store\n"
                       << "desks: " << (src / "config/desks").string() << "\n"
                       << "tenants: " << (src / "config/demo/tenants.yaml").string() << "\n"
                       << "templates: " << (src / "templates").string() << "\n"
                       << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                       << "smtp:\n  url: dir:sent\n";
    return cfg;
  }
  void add_mail(int i) const {
    std::ofstream(path / "Maildir" / "new" / ("m" + std::to_string(i)), std::ios::binary)
        << "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
        << "Subject: watchdog " << i << "\r\nMessage-ID: <wd-" << i << "@sakura-giken.co.jp>\r\n"
        << "Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面の操作について教えてください。\r\n";
  }
};

// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
struct NotifySocket {
  int fd = -1;
  fs::path path;
  explicit NotifySocket(fs::path p) : path(std::move(p)) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof addr.sun_path);
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() {
    ::close(fd);
    std::error_code ec;
    fs::remove(path, ec);
  }
  // The datagrams received until one contains `until` (included), or the timeout.
  std::vector<std::string> read_until(const std::string& until, std::chrono::milliseconds timeout) {
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) continue;
      got.emplace_back(buf, static_cast<std::size_t>(n));
      if (got.back().find(until) != std::string::npos) break;
    }
    return got;
  }
};

}  // namespace

TEST_CASE("run: the watchdog is kicked between mails of a pass, not only between passes") {
  RunDir dir;
  const auto cfg = dir.config();
  constexpr int kMails = 5;
  for (int i = 0; i < kMails; ++i) dir.add_mail(i);
  NotifySocket notify(dir.path / "notify.sock");
  // WatchdogSec=2h: the timer's kick (every hour) comes once at start, so every further
  // WATCHDOG=1 before READY=1 was sent from inside the first pass.
  DaemonProcess d({"run", "--config", cfg.string()}, dir.path / "daemon.log",
                  {"NOTIFY_SOCKET=" + notify.path.string(), "WATCHDOG_USEC=7200000000"});
  const auto said = notify.read_until("READY=1", std::chrono::seconds(60));
  INFO(d.log());
  REQUIRE(!said.empty());
  CHECK(said.back().find("READY=1") != std::string::npos);
  int kicks = 0;
  for (const auto& s : said)
    if (s.find("WATCHDOG=1") != std::string::npos) ++kicks;
  // One at start, then at least one per mail taken in and one per mail processed.
  CHECK(kicks >= 1 + 2 * kMails);
  CHECK(madoguchi::testing::store_count(dir.path / "store" / "madoguchi.db",
                                        "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == kMails);
}

TEST_CASE("run --once: a database locked by another process beyond the busy timeout does not kill the daemon") {
  RunDir dir;
  const auto cfg = dir.config();
  const fs::path db = dir.path / "store" / "madoguchi.db";
  {
    // A mail stored by an earlier pass (or by `deliver`) and not processed yet.
    Store store(dir.path / "store");
    IntakeRecord rec;
    rec.mailbox = "main";
    rec.source_key = "earlier";
    rec.received_at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    store_incoming(store, rec,
                   "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
                   "Subject: locked\r\nMessage-ID: <locked-1@sakura-giken.co.jp>\r\n"
                   "Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面の操作について教えてください。\r\n");
  }
  {
    // This test process holds the write lock for the whole pass (more than the daemon's 5 s).
    SQLite::Database other(db.string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    const auto r = madoguchi::testing::run_madoguchi({"run", "--once", "--config", cfg.string()});
    INFO(r.output);
    // Was: terminate called … database is locked, signal 6.
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("event=store_busy") != std::string::npos);
    other.exec("COMMIT");
  }
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'fetched'") == 1);
  const auto r = madoguchi::testing::run_madoguchi({"run", "--once", "--config", cfg.string()});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 1);
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM tickets") == 1);
}

TEST_CASE("message list and message retry: a failed message comes back after a fix") {
  RunDir dir;
  const auto cfg = dir.config();
  const fs::path db = dir.path / "store" / "madoguchi.db";
  std::int64_t first = 0;
  {
    Store store(dir.path / "store");
    for (int i = 0; i < 3; ++i) {
      IntakeRecord rec;
      rec.mailbox = "main";
      rec.source_key = "k" + std::to_string(i);
      rec.received_at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
      const auto r = store_incoming(store, rec,
                                    "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
                                    "Subject: retry " + std::to_string(i) + "\r\nMessage-ID: <retry-" +
                                        std::to_string(i) + "@sakura-giken.co.jp>\r\n\r\n管理画面について\r\n");
      if (i == 0) first = r.message_id;
      // As a pass of an earlier version left them: failed for good.
      madoguchi::daemon::mark_failed(store, r.message_id, "no desk: recipients match no desk address");
    }
  }
  using madoguchi::testing::run_madoguchi;
  auto list = run_madoguchi({"message", "list", "--state", "failed", "--config", cfg.string()});
  INFO(list.output);
  CHECK(list.exit_code == 0);
  CHECK(list.output.find("3 message(s)") != std::string::npos);
  CHECK(list.output.find("error: no desk") != std::string::npos);
  CHECK(run_madoguchi({"message", "list", "--state", "nonsense", "--config", cfg.string()}).exit_code == 2);

  auto one = run_madoguchi({"message", "retry", std::to_string(first), "--config", cfg.string()});
  INFO(one.output);
  CHECK(one.exit_code == 0);
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'fetched' AND error IS NULL") == 1);
  // Not failed any more, or not there: refusals with their exit codes, nothing changed.
  CHECK(run_madoguchi({"message", "retry", std::to_string(first), "--config", cfg.string()}).exit_code == 2);
  CHECK(run_madoguchi({"message", "retry", "999", "--config", cfg.string()}).exit_code == 1);
  CHECK(run_madoguchi({"message", "retry", "--config", cfg.string()}).exit_code == 2);
  auto all = run_madoguchi({"message", "retry", "--all", "--config", cfg.string()});
  CHECK(all.exit_code == 0);
  CHECK(all.output.find("2 message(s)") != std::string::npos);
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'failed'") == 0);

  CHECK(run_madoguchi({"run", "--once", "--config", cfg.string()}).exit_code == 0);
  CHECK(madoguchi::testing::store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 3);
  auto after = run_madoguchi({"message", "list", "--config", cfg.string()});
  CHECK(after.output.find("3 message(s)") != std::string::npos);
  CHECK(after.output.find("ticketed") != std::string::npos);
}

TEST_CASE("run: a second long-running daemon on the same store exits with run_locked, and run --once still works beside it") {
  RunDir dir;
  const auto cfg = dir.config();
  DaemonProcess first({"run", "--config", cfg.string()}, dir.path / "first.log");
  REQUIRE(first.wait_for_log("event=daemon_ready", std::chrono::seconds(20)));
  DaemonProcess second({"run", "--config", cfg.string()}, dir.path / "second.log");
  CHECK(second.wait(std::chrono::seconds(20)) == 1);
  CHECK(second.log().find("event=run_locked") != std::string::npos);
  // The first one is untouched, and a one-shot pass beside it is allowed (compare-and-set).
  dir.add_mail(1);
  CHECK(madoguchi::testing::run_madoguchi({"run", "--once", "--config", cfg.string()}).exit_code == 0);
  CHECK(madoguchi::testing::store_count(dir.path / "store" / "madoguchi.db", "SELECT COUNT(*) FROM tickets") == 1);
  CHECK(first.log().find("event=run_locked") == std::string::npos);
  first.signal(SIGTERM);
  CHECK(first.wait(std::chrono::seconds(20)) == 0);
  // The lock goes with the process, however it ended: a new daemon starts.
  DaemonProcess third({"run", "--config", cfg.string()}, dir.path / "third.log");
  CHECK(third.wait_for_log("event=daemon_ready", std::chrono::seconds(20)));
  third.kill_hard();
  DaemonProcess fourth({"run", "--config", cfg.string()}, dir.path / "fourth.log");
  CHECK(fourth.wait_for_log("event=daemon_ready", std::chrono::seconds(20)));
}

TEST_CASE("run: 20 concurrent deliver processes beside a running daemon make 20 tickets, 20 acknowledgements, nothing twice") {
  RunDir dir;
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  const fs::path cfg = dir.path / "madoguchi.yaml";
  std::ofstream(cfg) << "store: store\n"
                     << "desks: " << (src / "config/desks").string() << "\n"
                     // valid around today: `deliver` decides identity at the wall clock
                     << "tenants: "
                     << madoguchi::testing::demo_tenants_valid_around(dir.path / "tenants.yaml",
                                                                     madoguchi::testing::wall_clock_now())
                            .string()
                     << "\n"
                     << "templates: " << (src / "templates").string() << "\n"
                     << "auto_replies_per_hour: 100\nstaff_notices_per_hour: 100\nstaff: [staff@passlogic-cloud.example.jp]\n"
                     << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                     << "    poll_interval: 1s\n"
                     << "smtp:\n  url: dir:sent\n";
  DaemonProcess daemon({"run", "--config", cfg.string()}, dir.path / "run.log");
  REQUIRE(daemon.wait_for_log("event=daemon_ready", std::chrono::seconds(20)));
  std::vector<std::future<madoguchi::testing::CommandResult>> delivers;
  for (int i = 0; i < 20; ++i)
    delivers.push_back(std::async(std::launch::async, [&cfg, i] {
      return madoguchi::testing::run_madoguchi(
          {"deliver", "--mailbox", "main", "--config", cfg.string()},
          "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\nSubject: concurrent " +
              std::to_string(i) + "\r\nMessage-ID: <conc-" + std::to_string(i) +
              "@sakura-giken.co.jp>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n管理画面について\r\n");
    }));
  for (auto& d : delivers) {
    const auto r = d.get();
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  const fs::path db = dir.path / "store" / "madoguchi.db";
  using madoguchi::testing::store_count;
  // The daemon sends the outbox on its next passes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (store_count(db, "SELECT COUNT(*) FROM outbox WHERE state != 'sent'") > 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(store_count(db, "SELECT COUNT(*) FROM messages") == 20);
  CHECK(store_count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 20);
  CHECK(store_count(db, "SELECT COUNT(*) FROM tickets") == 20);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement' AND state = 'sent'") == 20);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'staff_notice' AND state = 'sent'") == 20);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE state != 'sent'") == 0);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "sent"))
    if (e.path().extension() == ".eml") ++files;
  CHECK(files == 40);
  CHECK(daemon.log().find("event=message_failed") == std::string::npos);
}

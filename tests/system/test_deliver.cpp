// `madoguchi deliver` on the real binary, as an MTA pipe uses it: exit 0 once the mail is
// committed to the store (a second delivery of the same bytes is a duplicate, not a second
// message), 75 (EX_TEMPFAIL, the MTA keeps the mail and retries) when it cannot be stored.
#include <doctest/doctest.h>

#include "../integration/deployment.h"
#include "daemon_process.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using madoguchi::testing::run_madoguchi;

namespace {

struct DeliverDir {
  fs::path path;
  DeliverDir() {
    path = fs::temp_directory_path() / ("madoguchi-deliver-" + std::to_string(std::random_device{}()));
    fs::create_directories(path / "Maildir" / "new");
  }
  ~DeliverDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  // The demo tenants with their contracts valid around today: `deliver` decides identity at
  // the wall clock's arrival time.
  fs::path tenants() const {
    return madoguchi::testing::demo_tenants_valid_around(path / "tenants.yaml", madoguchi::testing::wall_clock_now());
  }
  fs::path config(const std::string& store, const std::string& mailbox_extra = "") const {
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    const fs::path cfg = path / ("madoguchi-" + std::to_string(std::hash<std::string>{}(store)) + ".yaml");
    std::ofstream(cfg) << "store: " << store << "\n"
                       << "desks: " << (src / "config/desks").string() << "\n"
                       << "tenants: " << tenants().string() << "\n"
                       << "templates: " << (src / "templates").string() << "\n"
                       << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                       << mailbox_extra << "smtp:\n  url: dir:sent\n";
    return cfg;
  }
};

const std::string kMail =
    "From: it-admin@sakura-giken.co.jp\r\nTo: passlogic-support@madoguchi.example.jp\r\n"
    "Subject: deliver\r\nMessage-ID: <deliver-1@sakura-giken.co.jp>\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n\r\n管理画面の操作について教えてください。\r\n";

long long count(const fs::path& db, const std::string& sql) {
  return madoguchi::testing::store_count(db, sql);
}

}  // namespace

TEST_CASE("deliver: exit 0 when stored, once per mail") {
  DeliverDir dir;
  const auto cfg = dir.config("store");
  auto r = run_madoguchi({"deliver", "--config", cfg.string()}, kMail);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  const fs::path db = dir.path / "store" / "madoguchi.db";
  CHECK(count(db, "SELECT COUNT(*) FROM messages") == 1);
  // And processed to the end: a ticket and its acknowledgement (not `failed`, not left behind).
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed' AND attempts = 1 AND ticket_id IS NOT NULL") == 1);  // one attempt, counted as it began
  CHECK(count(db, "SELECT COUNT(*) FROM tickets WHERE flagged = 0 AND outcome != 'set_aside'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement' AND recipient = 'it-admin@sakura-giken.co.jp'") == 1);
  auto again = run_madoguchi({"deliver", "--config", cfg.string()}, kMail);
  CHECK(again.exit_code == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM messages") == 1);
}

TEST_CASE("deliver: exit 75 when the store cannot be written") {
  DeliverDir dir;
  // The store lies under a regular file: no directory, no database can be made there (this
  // holds for root too, unlike a permission bit).
  std::ofstream(dir.path / "blocker") << "x";
  const auto cfg = dir.config("blocker/store");
  auto r = run_madoguchi({"deliver", "--config", cfg.string()}, kMail);
  INFO(r.output);
  CHECK(r.exit_code == 75);
  // The spool cannot be written although the database can: still 75, and no row.
  const auto cfg2 = dir.config("store2");
  CHECK(run_madoguchi({"deliver", "--config", cfg2.string()}, "Subject: warm-up\r\n\r\nx\r\n").exit_code == 0);
  fs::remove_all(dir.path / "store2" / "spool");
  std::ofstream(dir.path / "store2" / "spool") << "not a directory";
  auto r2 = run_madoguchi({"deliver", "--config", cfg2.string()}, kMail);
  INFO(r2.output);
  CHECK(r2.exit_code == 75);
  CHECK(count(dir.path / "store2" / "madoguchi.db", "SELECT COUNT(*) FROM messages") == 1);
}

TEST_CASE("deliver: a mail over max_message_size is taken whole, stored cut, ticketed for staff, not answered") {
  DeliverDir dir;
  const auto cfg = dir.config("store", "    max_message_size: 64K\n");
  std::string big = kMail;
  big.insert(big.find("\r\n\r\n") + 4, std::string(200 * 1024, 'x') + "\r\n");
  auto r = run_madoguchi({"deliver", "--config", cfg.string(), "--mailbox", "main"}, big);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  const fs::path db = dir.path / "store" / "madoguchi.db";
  CHECK(count(db, "SELECT size FROM messages") == 64 * 1024);
  CHECK(count(db, "SELECT COUNT(*) FROM tickets WHERE flagged = 1") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE kind IN ('acknowledgement', 'refusal')") == 0);
}

TEST_CASE("deliver: a stored mail that cannot be processed is retried, then set aside as a flagged ticket, never answered") {
  DeliverDir dir;
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  // The first delivery meets a configuration whose templates are missing: the mail is stored
  // (exit 0, the MTA's job is done) and waits in `fetched` for the daemon.
  auto cfg_at = [&](const std::string& name, const std::string& templates, int attempts) {
    const fs::path cfg = dir.path / name;
    std::ofstream(cfg) << "store: store\n"
                       << "desks: " << (src / "config/desks").string() << "\n"
                       << "tenants: " << dir.tenants().string() << "\n"
                       << "templates: " << templates << "\n"
                       << "staff: [staff@passlogic-cloud.example.jp]\n"
                       << "message_attempts: " << attempts << "\n"
                       << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                       << "smtp:\n  url: dir:sent\n";
    return cfg;
  };
  const fs::path db = dir.path / "store" / "madoguchi.db";
  auto r = run_madoguchi({"deliver", "--config", cfg_at("broken.yaml", (dir.path / "no-templates").string(), 2).string()}, kMail);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'fetched' AND attempts = 0") == 1);
  // Its spool file is lost: every attempt at it fails from now on.
  std::vector<fs::path> spooled;
  for (const auto& e : fs::recursive_directory_iterator(dir.path / "store" / "spool"))
    if (e.is_regular_file()) spooled.push_back(e.path());
  REQUIRE(spooled.size() == 1);
  fs::rename(spooled[0], dir.path / "lost.eml");

  // The next delivery (a good configuration, message_attempts: 2) processes both: its own mail
  // is ticketed and answered; the lost one counts a first attempt and waits for its backoff.
  // The n-th mail (its own Message-ID) delivered under `cfg`: the command's output.
  auto deliver_mail = [&](int n, const fs::path& cfg) {
    std::string m = kMail;
    m.replace(m.find("deliver-1@"), 10, "deliver-" + std::to_string(n) + "@");
    const auto result = run_madoguchi({"deliver", "--config", cfg.string()}, m);
    CHECK_MESSAGE(result.exit_code == 0, result.output);
    return result.output;
  };
  CHECK(deliver_mail(2, cfg_at("good.yaml", (src / "templates").string(), 2)).find("event=message_attempt_failed") !=
        std::string::npos);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'fetched' AND attempts = 1 AND retry_at IS NOT NULL") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'failed'") == 0);

  // With the last attempt allowed (message_attempts: 1 now), the lost mail is set aside: a
  // flagged ticket with the reason, staff notified, nothing to its sender.
  // Due now: the backoff is not what this step is about.
  {
    SQLite::Database w(db.string(), SQLite::OPEN_READWRITE);
    w.exec("UPDATE messages SET retry_at = 0 WHERE state = 'fetched'");
  }
  CHECK(deliver_mail(3, cfg_at("last.yaml", (src / "templates").string(), 1)).find("event=message_set_aside") !=
        std::string::npos);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 3);
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state IN ('fetched', 'failed')") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM tickets WHERE outcome = 'set_aside' AND flagged = 1") == 1);
  const long long aside = count(db, "SELECT id FROM tickets WHERE outcome = 'set_aside'");
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE ticket_id = " + std::to_string(aside) + " AND kind = 'staff_notice'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE ticket_id = " + std::to_string(aside) + " AND kind != 'staff_notice'") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'") == 2);  // the two good mails
}

// `madoguchi deliver` on the real binary, as an MTA pipe uses it: exit 0 once the mail is
// committed to the store (a second delivery of the same bytes is a duplicate, not a second
// message), 75 (EX_TEMPFAIL, the MTA keeps the mail and retries) when it cannot be stored.
#include <doctest/doctest.h>

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
  fs::path config(const std::string& store, const std::string& mailbox_extra = "") const {
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    const fs::path cfg = path / ("madoguchi-" + std::to_string(std::hash<std::string>{}(store)) + ".yaml");
    std::ofstream(cfg) << "store: " << store << "\n"
                       << "desks: " << (src / "config/desks").string() << "\n"
                       << "tenants: " << (src / "config/demo/tenants.yaml").string() << "\n"
                       << "templates: " << (src / "templates").string() << "\n"
                       << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                       << mailbox_extra << "smtp:\n  url: dir:sent\n";
    return cfg;
  }
};

const std::string kMail =
    "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
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
  CHECK(count(db, "SELECT COUNT(*) FROM messages WHERE state != 'fetched'") == 1);  // and processed
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

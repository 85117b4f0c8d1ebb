// `madoguchi outbox list|retry` as an operator runs it: the real binary over a real store.
// The rows are put there as a delivery round leaves them (failed with the server's reply);
// sending them again over a real SMTP server is tests/integration/test_smtp_session.cpp.
#include <doctest/doctest.h>

#include "daemon/store/outbox.h"
#include "daemon/store/store.h"
#include "daemon_process.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using madoguchi::testing::run_madoguchi;
using madoguchi::testing::store_count;

namespace {

struct OutboxDir {
  fs::path path = fs::temp_directory_path() / ("madoguchi-outbox-" + std::to_string(std::random_device{}()));
  OutboxDir() {
    fs::create_directories(path);
    std::ofstream(path / "madoguchi.yaml") << "store: store\nsmtp:\n  url: dir:sent\n";
  }
  ~OutboxDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string config() const { return (path / "madoguchi.yaml").string(); }
};

// A row as a round leaves it: `state` after one attempt with the server's `reply`.
std::int64_t row(Store& store, const std::string& to, OutboxState state, const std::string& reply) {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  Transaction tx(store);
  OutboxRow r;
  r.kind = "acknowledgement";
  r.recipient = to;
  r.message_id = "cli." + to;
  r.raw = "Subject: x\r\n\r\nbody\r\n";
  const auto id = enqueue(tx, r, now);
  record_attempt(tx, id, state, 1, now, reply, now);
  tx.commit();
  return id;
}

}  // namespace

TEST_CASE("outbox list and outbox retry: failed mail back to pending, refusals with the message command's exit codes") {
  OutboxDir dir;
  std::int64_t failed = 0, sent = 0;
  {
    Store store(dir.path / "store");
    failed = row(store, "taro@sakura-giken.co.jp", OutboxState::failed,
                 "554 5.7.1 <taro@sakura-giken.co.jp>: Relay access denied\x1b[2J");
    row(store, "hanako@sakura-giken.co.jp", OutboxState::failed, "550 5.1.1 user unknown");
    sent = row(store, "jiro@minato-shoji.co.jp", OutboxState::sent, "250 2.0.0 Ok");
  }
  const fs::path db = dir.path / "store" / "madoguchi.db";
  auto list = run_madoguchi({"outbox", "list", "--state", "failed", "--config", dir.config()});
  INFO(list.output);
  CHECK(list.exit_code == 0);
  CHECK(list.output.find("2 outgoing mail(s)") != std::string::npos);
  CHECK(list.output.find("t***@sakura-giken.co.jp") != std::string::npos);
  CHECK(list.output.find("taro@") == std::string::npos);
  CHECK(list.output.find("last: 554 5.7.1") != std::string::npos);
  CHECK(list.output.find('\x1b') == std::string::npos);
  auto json = run_madoguchi({"outbox", "list", "--json", "--config", dir.config()});
  CHECK(json.exit_code == 0);
  const auto rows = nlohmann::json::parse(json.output);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["state"] == "failed");
  CHECK(rows[2]["recipient"] == "j***@minato-shoji.co.jp");
  CHECK(run_madoguchi({"outbox", "list", "--state", "nonsense", "--config", dir.config()}).exit_code == 2);

  auto one = run_madoguchi({"outbox", "retry", std::to_string(failed), "--config", dir.config()});
  INFO(one.output);
  CHECK(one.exit_code == 0);
  CHECK(one.output.find("1 outgoing mail(s)") != std::string::npos);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts = 1") == 1);
  // Not failed any more, or not there, or no argument: refusals, nothing changed.
  CHECK(run_madoguchi({"outbox", "retry", std::to_string(failed), "--config", dir.config()}).exit_code == 2);
  CHECK(run_madoguchi({"outbox", "retry", std::to_string(sent), "--config", dir.config()}).exit_code == 2);
  CHECK(run_madoguchi({"outbox", "retry", "999", "--config", dir.config()}).exit_code == 1);
  CHECK(run_madoguchi({"outbox", "retry", "--config", dir.config()}).exit_code == 2);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 1);
  auto all = run_madoguchi({"outbox", "retry", "--all-failed", "--config", dir.config()});
  CHECK(all.exit_code == 0);
  CHECK(all.output.find("1 outgoing mail(s)") != std::string::npos);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE state = 'failed'") == 0);
  CHECK(store_count(db, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 2);
}

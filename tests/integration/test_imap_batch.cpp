// IMAP intake in batches against the real Dovecot: a batch's mails are committed together
// (spool fsynced, one synced transaction) before one mark for the set; a failure between the
// commit and the mark re-marks the batch on the next pass without storing anything twice; a
// batch with a UID the server cannot give keeps the mails before it, counts that UID's
// failures and puts a stub in its place after imap_fetch_attempts; rows keep the order of
// arrival.
#include <doctest/doctest.h>

#include "daemon/service/intake.h"
#include "daemon/transport/imap_source.h"
#include "imap_deployment.h"
#include "log_capture.h"

#include <thread>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace std::chrono_literals;

namespace {

// An IMAP source whose first batch mark fails as a crash right after the commit would leave
// it: committed, never marked.
class MarkFailsOnce final : public MailSource {
 public:
  explicit MarkFailsOnce(ImapSource& inner) : inner_(inner) {}
  const std::string& name() const override { return inner_.name(); }
  std::vector<SourceItem> pending() override { return inner_.pending(); }
  std::string fetch(const SourceItem& item) override { return inner_.fetch(item); }
  void mark_processed(const SourceItem& item) override { inner_.mark_processed(item); }
  void mark_all_processed(const std::vector<SourceItem>& items) override {
    if (!failed_) {
      failed_ = true;
      throw SourceError("injected: the process died between the commit and the mark");
    }
    inner_.mark_all_processed(items);
  }

 private:
  ImapSource& inner_;
  bool failed_ = false;
};

// Rows whose id order disagrees with their UID order (0 when arrival order is kept).
long long out_of_order(Store& store) {
  return count(store, "SELECT COUNT(*) FROM messages a JOIN messages b ON a.id < b.id AND a.uid > b.uid");
}

}  // namespace

TEST_CASE("imap batch: a failure between a batch's commit and its mark re-marks it next pass, nothing stored twice") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  const int n = 70;  // more than one batch (64)
  for (int i = 0; i < n; ++i)
    servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "質問 " + std::to_string(i),
                                  "b" + std::to_string(i) + "@sakura-giken.co.jp"));
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  {
    ImapSource imap(d.mailbox(), store);
    MarkFailsOnce source(imap);
    CHECK_THROWS_AS(intake(p, source, d.mailbox()), SourceError);
  }
  // The first batch is durable and owed its marks; the server has none of them yet.
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 64);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 64);
  CHECK(mailbox_state(store, "main")->last_uid == 64);
  CHECK(server_count(servers, "SEEN") == 0);
  // The restart: the owed marks are applied, the rest stored, nothing twice.
  LogCapture log;
  ImapSource source(d.mailbox(), store);
  CHECK(intake(p, source, d.mailbox()) == n - 64);
  CHECK(server_count(servers, "SEEN") == n);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == n);
  CHECK(count(store, "SELECT COUNT(DISTINCT sha256) FROM messages") == n);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 0);
  CHECK(log.count("event=mail_stored") == n - 64);
  CHECK(out_of_order(store) == 0);
  CHECK(intake(p, source, d.mailbox()) == 0);
}

TEST_CASE("imap batch: one UID the server cannot give keeps the mails before it, then a stub stands in for it") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  const int n = 10, broken_at = 5;  // UID 5 of 10, in the middle of one batch
  std::string broken_name;
  for (int i = 1; i <= n; ++i) {
    const auto before = servers.inbox_files();
    servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "件 " + std::to_string(i),
                                  "u" + std::to_string(i) + "@sakura-giken.co.jp"));
    if (i == broken_at)
      for (const auto& [unique, path] : servers.inbox_files())
        if (!before.count(unique)) broken_name = unique;
  }
  REQUIRE(!broken_name.empty());
  fs::permissions(servers.inbox_files().at(broken_name), fs::perms::none);
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  source.backoff_base = 1ms;
  LogCapture log;
  auto pass = [&] { intake_pass(p, source, d.mailbox()); };
  for (int i = 0; i < 40 && log.count("event=fetch_failed") < 3; ++i) {
    pass();
    if (log.count("event=fetch_failed") < 3) {
      CHECK(mailbox_state(store, "main")->last_uid < broken_at);  // never past it before its stub
      CHECK(count(store, "SELECT COUNT(*) FROM messages") < broken_at);
    }
  }
  CHECK(log.count("event=fetch_failed") == 3);
  // The mails before it were kept (stored once, marked), whatever batch they came in.
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE stub = 0") >= broken_at - 1);
  for (int i = 0; i < 20 && count(store, "SELECT COUNT(*) FROM messages") < n; ++i) pass();
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == n);
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE stub = 1 AND uid = 5 AND "
                     "error LIKE '%could not be fetched 3 times%'") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM fetch_failures") == 0);
  CHECK(mailbox_state(store, "main")->last_uid == n);
  CHECK(out_of_order(store) == 0);
  CHECK(server_count(servers, "SEEN") == n);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 0);
  fs::permissions(servers.inbox_files().at(broken_name), fs::perms::owner_read | fs::perms::owner_write);
}

// The stage runner against a real SQLite file, a real Maildir and the directory sink:
// tickets and acknowledgements from the shipped desks, exactly-once intake across a crash
// between commit and mark, resumption after a crash between stages, the automatic-reply
// rate limit, the safe first start, and outbox retry with backoff.
#include <doctest/doctest.h>

#include "daemon/server/config.h"
#include "daemon/transport/dir_sink.h"
#include "daemon/transport/maildir_source.h"
#include "daemon/store/outbox.h"
#include "daemon/service/delivery.h"
#include "daemon/service/bounces.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/service/timed_jobs.h"
#include "daemon/server/runtime.h"
#include "daemon/server/factories.h"
#include "daemon/store/store.h"
#include "daemon/store/messages.h"
#include "daemon/store/tickets.h"
#include "deployment.h"

#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using std::chrono::sys_seconds;

TEST_CASE("pipeline: an admin's question becomes a ticket with an acknowledgement sent once") {
  Deployment d;
  const sys_seconds now = at(2026, 11, 20, 11);  // Friday 11:00 JST
  d.add_mail("1.host", mail("it-admin@sakura-giken.co.jp", "トークンの再発行", "q1@sakura-giken.co.jp"),
             now - std::chrono::minutes(5));
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  CHECK(intake(p, source, d.config.mailboxes[0]) == 1);
  CHECK(fs::is_empty(d.maildir / "new"));  // marked only after the commit
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 1);
  CHECK(processed[0].action == MailAction::new_ticket);
  CHECK(processed[0].identity == "eligible");
  CHECK(processed[0].reply == "ack_received");
  CHECK(processed[0].sender == "i***@sakura-giken.co.jp");
  CHECK(count(store, "SELECT COUNT(*) FROM tickets WHERE status = 'open'") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 1);

  DirSink sink(d.dir.path / "sent");
  auto stats = deliver_due(store, sink, now, std::chrono::hours(48));
  CHECK(stats.sent == 1);
  stats = deliver_due(store, sink, now + std::chrono::hours(1), std::chrono::hours(48));
  CHECK(stats.sent == 0);  // nothing is sent twice
  int eml = 0;
  for (const auto& e : fs::directory_iterator(d.dir.path / "sent")) eml += e.path().extension() == ".eml";
  CHECK(eml == 1);
  // Spool and store are owner-only.
  CHECK((fs::status(d.config.store).permissions() & fs::perms::others_all) == fs::perms::none);

  // A second pass finds nothing new.
  CHECK(intake(p, source, d.config.mailboxes[0]) == 0);
  CHECK(process_pending(p).empty());
}

TEST_CASE("pipeline: a crash between commit and mark does not store the mail twice") {
  Deployment d;
  const sys_seconds now = at(2026, 11, 20, 11);
  d.add_mail("1.host", mail("it-admin@sakura-giken.co.jp", "件名", "c1@sakura-giken.co.jp"), now);
  Store store(d.config.store);
  MaildirSource source("main", d.maildir);
  // The crash: stored and committed, but never marked at the source.
  auto items = source.pending();
  REQUIRE(items.size() == 1);
  IntakeRecord rec{"main", items[0].key, 0, 0, now, false};
  store_incoming(store, rec, source.fetch(items[0]));
  CHECK_FALSE(fs::is_empty(d.maildir / "new"));
  // The restart: the same item is seen again, recognised, and marked.
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  CHECK(intake(p, source, d.config.mailboxes[0]) == 0);
  CHECK(fs::is_empty(d.maildir / "new"));
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 1);
  CHECK(process_pending(p).size() == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 1);
}

TEST_CASE("pipeline: the same Message-ID with different content is a new mail") {
  Deployment d;
  const sys_seconds now = at(2026, 11, 20, 11);
  d.add_mail("1.host", mail("it-admin@sakura-giken.co.jp", "一通目", "same@sakura-giken.co.jp"), now);
  d.add_mail("2.host", mail("it-admin@sakura-giken.co.jp", "二通目", "same@sakura-giken.co.jp"), now);
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  CHECK(intake(p, source, d.config.mailboxes[0]) == 2);
  CHECK(count(store, "SELECT COUNT(DISTINCT sha256) FROM messages") == 2);
}

TEST_CASE("pipeline: a crash after parsing resumes at the committed state") {
  Deployment d;
  const sys_seconds now = at(2026, 11, 20, 11);
  d.add_mail("1.host", mail("it-admin@sakura-giken.co.jp", "件名", "r1@sakura-giken.co.jp"), now);
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  intake(p, source, d.config.mailboxes[0]);
  // Simulate a process that committed `parsed` and died before `classified`.
  store.db().exec("UPDATE messages SET state = 'parsed'");
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 1);
  CHECK(processed[0].action == MailAction::new_ticket);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox") == 1);
  CHECK(process_pending(p).empty());
}

TEST_CASE("pipeline: follow-up by References and by subject tag joins the ticket, no second ack") {
  Deployment d;
  const sys_seconds now = at(2026, 11, 20, 11);
  d.add_mail("1.host", mail("it-admin@sakura-giken.co.jp", "最初の質問", "first@sakura-giken.co.jp"),
             now - std::chrono::minutes(30));
  d.add_mail("2.host",
             mail("it-admin@sakura-giken.co.jp", "Re: 最初の質問", "second@sakura-giken.co.jp",
                  "In-Reply-To: <first@sakura-giken.co.jp>\r\nReferences: <first@sakura-giken.co.jp>\r\n"),
             now - std::chrono::minutes(20));
  d.add_mail("3.host", mail("it-admin@sakura-giken.co.jp", "Re: [#MG-000001] 追加です", "third@sakura-giken.co.jp"),
             now - std::chrono::minutes(10));
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  intake(p, source, d.config.mailboxes[0]);
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 3);
  CHECK(processed[0].action == MailAction::new_ticket);
  CHECK(processed[1].action == MailAction::follow_up);
  CHECK(processed[1].ticket == "MG-000001");
  CHECK(processed[2].action == MailAction::follow_up);
  CHECK(processed[2].ticket == "MG-000001");
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox") == 1);
}

TEST_CASE("pipeline: automatic replies are rate-limited per sender and auto-replies are never answered") {
  Deployment d("36500d", 3);
  const sys_seconds now = at(2026, 11, 20, 11);
  for (int i = 0; i < 5; ++i)
    d.add_mail(std::to_string(i) + ".host",
               mail("stranger@example.com", "質問" + std::to_string(i), "s" + std::to_string(i) + "@example.com"),
               now - std::chrono::minutes(10 - i));
  d.add_mail("9.host",
             mail("it-admin@sakura-giken.co.jp", "不在", "ooo@sakura-giken.co.jp", "Auto-Submitted: auto-replied\r\n"),
             now);
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  intake(p, source, d.config.mailboxes[0]);
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 6);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE recipient = 'stranger@example.com'") == 3);
  CHECK(processed[3].note == "rate_limited");
  CHECK(processed[5].action == MailAction::auto_reply_ignored);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE recipient = 'it-admin@sakura-giken.co.jp'") == 0);
  // A refusal that could not be sent is left open and flagged for staff, not closed.
  CHECK(count(store, "SELECT COUNT(*) FROM tickets WHERE status != 'closed' AND flagged = 1") == 2);
}

TEST_CASE("pipeline: safe first start, old mail is ticketed without replies") {
  Deployment d("7d");
  const sys_seconds now = at(2026, 11, 20, 11);
  d.add_mail("old.host", mail("it-admin@sakura-giken.co.jp", "古い質問", "old@sakura-giken.co.jp"),
             now - std::chrono::hours(24 * 30));
  d.add_mail("new.host", mail("it-admin@sakura-giken.co.jp", "新しい質問", "new@sakura-giken.co.jp"),
             now - std::chrono::hours(1));
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  CHECK(intake(p, source, d.config.mailboxes[0]) == 2);
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox") == 1);
  CHECK(processed[0].note == "first_run_old_mail");
}

namespace {
// A sink whose answers the test scripts: it stands for the network edge in a test of the
// outbox's retry bookkeeping (the SMTP client itself is tested against a real server).
struct ScriptedSink final : MailSink {
  std::vector<SendResult::Status> answers;
  int calls = 0;
  SendResult send(const Envelope&, std::string_view, std::string_view) override {
    auto s = answers.at(static_cast<std::size_t>(calls++));
    return {s, s == SendResult::Status::sent ? "250 ok" : (s == SendResult::Status::temporary_failure ? "451 try later" : "550 no such user")};
  }
};
}  // namespace

TEST_CASE("outbox: 4xx is retried with backoff, 5xx fails at once, old 4xx gives up") {
  TempDir dir;
  Store store(dir.path / "store");
  const sys_seconds t0 = at(2026, 11, 20, 11);
  OutboxRow row{std::nullopt, std::nullopt, "acknowledgement", "ack_received", "", "a@example.jp", "m1@x", "raw"};
  enqueue_committed(store, row, t0);
  row.message_id = "m2@x";
  row.recipient = "b@example.jp";
  enqueue_committed(store, row, t0);
  ScriptedSink sink;
  sink.answers = {SendResult::Status::temporary_failure, SendResult::Status::permanent_failure,
                  SendResult::Status::sent};
  auto s = deliver_due(store, sink, t0, std::chrono::hours(48));
  CHECK(s.deferred == 1);
  CHECK(s.failed == 1);
  // Not due again before the backoff has passed.
  s = deliver_due(store, sink, t0 + std::chrono::seconds(30), std::chrono::hours(48));
  CHECK(s.sent + s.deferred + s.failed == 0);
  // Due after the first backoff (60 s with up to 20 % jitter).
  s = deliver_due(store, sink, t0 + std::chrono::seconds(73), std::chrono::hours(48));
  CHECK(s.sent == 1);
  CHECK(count(store, "SELECT attempts FROM outbox WHERE message_id = 'm1@x'") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND last_reply LIKE '550%'") == 1);

  enqueue_committed(store, {std::nullopt, std::nullopt, "notice", "", "", "c@example.jp", "m3@x", "raw"}, t0);
  ScriptedSink down;
  down.answers = {SendResult::Status::temporary_failure};
  s = deliver_due(store, down, t0 + std::chrono::hours(49), std::chrono::hours(48));
  CHECK(s.failed == 1);
}

TEST_CASE("pipeline: mail no desk claims is opened on the first desk, flagged and unanswered, not failed") {
  Deployment d;
  d.config.mailboxes[0].desk.clear();  // a mailbox without a desk, several desks configured
  REQUIRE(d.runtime.policy->desks().size() > 1);
  const sys_seconds now = at(2026, 11, 20, 11);
  std::string raw = mail("it-admin@sakura-giken.co.jp", "宛先のない質問", "u1@sakura-giken.co.jp");
  raw.replace(raw.find("support@passlogic-cloud.example.jp"), std::string("support@passlogic-cloud.example.jp").size(),
              "someone-else@example.jp");
  d.add_mail("1.host", raw, now - std::chrono::minutes(5));
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  REQUIRE(intake(p, source, d.config.mailboxes[0]) == 1);
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 1);
  CHECK(processed[0].action == MailAction::new_ticket);
  CHECK(processed[0].desk == d.runtime.policy->desks().front().id);
  CHECK(processed[0].note == "unrouted");
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE state = 'failed'") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets WHERE flagged = 1") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE kind IN ('acknowledgement', 'refusal')") == 0);
}

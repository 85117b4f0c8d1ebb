// Servers that go away (issue 14's fault suite): Dovecot stopped and restarted under a
// running intake, the SMTP server stopped for hours and back, and a process that dies
// between the SMTP server's 250 and the row update. Nothing lost, nothing stored or sent twice
// that can be avoided (the last case sends once more, after the lease, with the same
// Message-ID: the one duplicate no SMTP client can rule out).
#include <doctest/doctest.h>

#include "daemon/service/delivery.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/store/store.h"
#include "daemon/transport/imap_source.h"
#include "daemon/transport/smtp_sink.h"
#include "integration/deployment.h"
#include "integration/imap_deployment.h"
#include "integration/mail_servers.h"
#include "integration/smtp_fixture.h"
#include "integration/store_helpers.h"
#include "parsers/parsed_mail.h"

#include <atomic>
#include <set>
#include <thread>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace madoguchi::testing::smtp;
using namespace std::chrono_literals;
using std::chrono::sys_seconds;

TEST_CASE("imap: Dovecot stopped and restarted while running loses and duplicates nothing") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  source.backoff_base = 200ms;
  std::atomic<int> woke{0};
  source.watch([&] { ++woke; });
  for (int i = 0; i < 5; ++i)
    servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "前" + std::to_string(i),
                                  "r" + std::to_string(i) + "@sakura-giken.co.jp"));
  CHECK(intake(p, source, d.mailbox()) == 5);

  servers.stop_dovecot();
  try {
    intake(p, source, d.mailbox());  // fails, or finds nothing if the old process lingers
  } catch (const SourceError&) {
  }
  servers.start_dovecot();
  for (int i = 5; i < 10; ++i)
    servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "後" + std::to_string(i),
                                  "r" + std::to_string(i) + "@sakura-giken.co.jp"));
  // The daemon's poll timer: passes until the backoff lets the source reconnect.
  const auto t0 = std::chrono::steady_clock::now();
  int stored = 0;
  while (stored < 5 && std::chrono::steady_clock::now() - t0 < 30s) {
    try {
      stored += intake(p, source, d.mailbox());
    } catch (const SourceError&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  const int woke_after_restart = woke;
  source.stop_watching();
  CHECK(stored == 5);
  CHECK(woke_after_restart >= 1);  // the IDLE thread came back and said so
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 10);
  CHECK(count(store, "SELECT COUNT(DISTINCT source_key) FROM messages") == 10);
  CHECK(server_count(servers, "SEEN") == 10);
  CHECK(process_pending(p).size() == 10);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 10);
}

TEST_CASE("smtp: server stopped for a while, then restarted: everything pending is delivered once") {
  MailServerOptions o;
  o.start_dovecot = false;
  MailServers servers(o);
  TempDir tmp;
  Store store(tmp.path / "store");
  SmtpSink sink(plain(servers.smtp_url()));
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(queue(store, "c" + std::to_string(i) + "@example.co.jp", i));
  CHECK(deliver_due(store, sink, kNow, std::chrono::hours(48)).sent == 3);

  servers.stop_smtp();
  for (int i = 4; i <= 8; ++i) ids.push_back(queue(store, "c" + std::to_string(i) + "@example.co.jp", i));
  sys_seconds t = kNow;
  for (int round = 0; round < 3; ++round) {
    t += std::chrono::hours(1);
    const auto s = deliver_due(store, sink, t, std::chrono::hours(48));
    CHECK(s.sent == 0);
    CHECK(s.deferred == 1);  // the first refusal ends the round
    CHECK(s.server_unreachable);
  }
  CHECK(row_state(store, ids[3]).attempts == 3);
  CHECK(row_state(store, ids[3]).last_reply.rfind("no reply: ", 0) == 0);
  CHECK(row_state(store, ids[4]).attempts == 0);

  servers.start_smtp();
  t += std::chrono::hours(2);
  CHECK(deliver_due(store, sink, t, std::chrono::hours(48)).sent == 5);
  CHECK(deliver_due(store, sink, t + std::chrono::hours(5), std::chrono::hours(48)).sent == 0);
  const auto files = servers.captured();
  REQUIRE(files.size() == 8);
  std::set<std::string> ids_seen;
  for (const auto& f : files) ids_seen.insert(madoguchi::parsers::parse_mail(slurp(f)).message_id);
  CHECK(ids_seen.size() == 8);
  for (auto id : ids) CHECK(row_state(store, id).state == "sent");
}

namespace {
// The process "dies" right after the server accepted the message, before the row is updated.
struct CrashAfterSend : MailSink {
  MailSink& real;
  explicit CrashAfterSend(MailSink& r) : real(r) {}
  SendResult send(const Envelope& e, std::string_view raw, std::string_view id) override {
    real.send(e, raw, id);
    throw std::runtime_error("simulated crash after the server's 250");
  }
};
}  // namespace

TEST_CASE("smtp: a crash between the server's 250 and the row update resends once after the lease") {
  MailServerOptions o;
  o.start_dovecot = false;
  MailServers servers(o);
  TempDir tmp;
  Store store(tmp.path / "store");
  SmtpSink sink(plain(servers.smtp_url()));
  CrashAfterSend crashing(sink);
  const auto a = queue(store, "yamada@example.co.jp", 1);
  CHECK_THROWS(deliver_due(store, crashing, kNow, std::chrono::hours(48)));
  RowState r = row_state(store, a);
  CHECK(r.state == "pending");
  CHECK(r.attempts == 1);
  CHECK(r.last_reply.rfind("in flight", 0) == 0);
  CHECK(servers.captured().size() == 1);
  // The restarted daemon does not send it again within the lease (another sender may hold it)...
  CHECK(deliver_due(store, sink, kNow + std::chrono::minutes(5), std::chrono::hours(48)).sent == 0);
  // ...and after the lease it does: at least once, never lost; same Message-ID.
  CHECK(deliver_due(store, sink, kNow + std::chrono::minutes(16), std::chrono::hours(48)).sent == 1);
  const auto files = servers.captured();
  REQUIRE(files.size() == 2);
  CHECK(madoguchi::parsers::parse_mail(slurp(files[0])).message_id ==
        madoguchi::parsers::parse_mail(slurp(files[1])).message_id);
}

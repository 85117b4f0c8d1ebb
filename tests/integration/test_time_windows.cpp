// Windows of time the daemon keeps, with the clock in the test's hands (a real SQLite store, a
// real Maildir, the directory sink): the automatic-reply rate limit opens again after an hour;
// the first run's cutoff holds across a crash during that first run; the outbox's backoff
// grows over several temporary failures and stays within its jitter bounds.
#include <doctest/doctest.h>

#include "daemon/service/delivery.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/store/outbox.h"
#include "daemon/transport/maildir_source.h"
#include "deployment.h"

#include <algorithm>
#include <set>
#include <stdexcept>

using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace std::chrono_literals;
using std::chrono::sys_seconds;

namespace {

const std::string kAdmin = "it-admin@sakura-giken.co.jp";

std::string question(int n) {
  return mail(kAdmin, "質問" + std::to_string(n), "window-" + std::to_string(n) + "@sakura-giken.co.jp");
}

long long acks_to_admin(Store& store) {
  return count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement' AND recipient = '" + kAdmin + "'");
}

}  // namespace

TEST_CASE("rate limit: a sender answered auto_replies_per_hour times is answered again once the hour has passed") {
  Deployment d("36500d", 3);
  sys_seconds now = at(2026, 11, 20, 11);
  Store store(d.config.store);
  Context ctx = make_context(store, d.config, [&] { return now; }, d.runtime);
  MaildirSource source("main", d.maildir);
  auto take = [&](int n) {
    d.add_mail(std::to_string(n) + ".host", question(n), now);
    REQUIRE(intake(ctx, source, d.config.mailboxes[0]) == 1);
    const auto done = process_pending(ctx);
    REQUIRE(done.size() == 1);
    return done[0].note;
  };
  for (int n = 1; n <= 3; ++n) CHECK(take(n) != "rate_limited");
  CHECK(acks_to_admin(store) == 3);
  const sys_seconds answered = now;
  CHECK(take(4) == "rate_limited");
  // Still inside the hour of the three replies.
  now = answered + 59min;
  CHECK(take(5) == "rate_limited");
  CHECK(acks_to_admin(store) == 3);
  // An hour after them the window is empty again: answered, and counted anew.
  now = answered + 60min;
  CHECK(take(6) != "rate_limited");
  CHECK(acks_to_admin(store) == 4);
  CHECK(take(7) != "rate_limited");
  CHECK(take(8) != "rate_limited");
  CHECK(take(9) == "rate_limited");  // three in this hour again
  CHECK(acks_to_admin(store) == 6);
}

TEST_CASE("rate limit: staff notices caused by one sender stop at staff_notices_per_hour, the tickets are still opened") {
  Deployment d("36500d", 1000);
  sys_seconds now = at(2026, 11, 20, 11);
  Store store(d.config.store);
  Context ctx = make_context(store, d.config, [&] { return now; }, d.runtime);
  ctx.settings.staff = {"staff@passlogic-cloud.example.jp"};
  ctx.settings.staff_notices_per_hour = 2;
  MaildirSource source("main", d.maildir);
  const auto notices = [&] { return count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'staff_notice'"); };
  for (int n = 1; n <= 4; ++n) {
    d.add_mail(std::to_string(n) + ".host", question(n), now);
    REQUIRE(intake(ctx, source, d.config.mailboxes[0]) == 1);
    REQUIRE(process_pending(ctx).size() == 1);
  }
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 4);
  CHECK(notices() == 2);
  CHECK(acks_to_admin(store) == 4);  // the customer's own acknowledgements are not held back
  now += 60min;
  d.add_mail("5.host", question(5), now);
  REQUIRE(intake(ctx, source, d.config.mailboxes[0]) == 1);
  REQUIRE(process_pending(ctx).size() == 1);
  CHECK(notices() == 3);
}

TEST_CASE("first_run_cutoff: a first run cut by a crash keeps the cutoff of its start, not of the restart") {
  Deployment d("7d");
  const sys_seconds first_start = at(2026, 11, 20, 11);
  // Older than the cutoff at the first start: ticketed without replies, whenever taken in.
  const std::set<std::string> old_mail = {"old-a", "old-b", "old-c"};
  d.add_mail("old-a", mail(kAdmin, "古い質問A", "old-a@sakura-giken.co.jp"), first_start - 30 * 24h);
  d.add_mail("old-b", mail(kAdmin, "古い質問B", "old-b@sakura-giken.co.jp"), first_start - 20 * 24h);
  d.add_mail("old-c", mail(kAdmin, "古い質問C", "old-c@sakura-giken.co.jp"), first_start - 8 * 24h);
  // Within the cutoff at the first start (older than it by the restart): answered.
  d.add_mail("fresh-a", mail(kAdmin, "新しい質問A", "fresh-a@sakura-giken.co.jp"), first_start - 1h);
  d.add_mail("fresh-b", mail(kAdmin, "新しい質問B", "fresh-b@sakura-giken.co.jp"), first_start - 6 * 24h);
  // One start of the daemon at `now` over the Maildir: intake, then (unless it dies at the
  // `die_at`-th mail of its intake) the stages.
  auto start = [&](sys_seconds now, int die_at) {
    Store store(d.config.store);
    Context ctx = make_context(store, d.config, [now] { return now; }, d.runtime);
    MaildirSource source("main", d.maildir);
    int seen = 0;
    // One mail per commit, so that the crash at the second mail comes after a commit (in the
    // default batches of 64 it would take the first mail's uncommitted batch with it).
    intake(ctx, source, d.config.mailboxes[0], [&] {
      if (++seen == die_at) throw std::runtime_error("simulated crash");
    }, IntakeBatch{1});
    return process_pending(ctx);
  };
  // The process dies before the second mail of its first run.
  CHECK_THROWS_AS(start(first_start, 2), std::runtime_error);
  {
    Store store(d.config.store);
    REQUIRE(count(store, "SELECT COUNT(*) FROM messages") == 1);
  }
  // Restarted ten days later: the first run is finished now, with its own cutoff.
  d.add_mail("later", mail(kAdmin, "その後の質問", "later@sakura-giken.co.jp"), first_start + 24h);
  const auto done = start(first_start + 10 * 24h, 0);
  REQUIRE(done.size() == 6);
  Store store(d.config.store);
  SQLite::Statement q(store.db(), "SELECT source_key, suppress_auto_reply FROM messages ORDER BY id");
  int rows = 0;
  while (q.executeStep()) {
    ++rows;
    const std::string key = q.getColumn(0).getString();
    // The Maildir key is the file name with its flags; its base names the mail.
    const std::string base = key.substr(0, key.find(':'));
    CAPTURE(key);
    CHECK((q.getColumn(1).getInt() == 1) == (old_mail.count(base) == 1));
  }
  CHECK(rows == 6);
  for (const auto& p : done) {
    CAPTURE(p.subject);
    CHECK((p.note == "first_run_old_mail") == (p.subject.rfind("古い", 0) == 0));
  }
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 6);
  CHECK(acks_to_admin(store) == 3);  // fresh-a, fresh-b, later (auto_replies_per_hour 3)
}

namespace {
// Answers every attempt with a temporary failure: it stands for the network edge in a test of
// the outbox's retry bookkeeping (the SMTP client is tested against a real server).
struct AlwaysLater final : MailSink {
  int calls = 0;
  SendResult send(const Envelope&, std::string_view, std::string_view) override {
    ++calls;
    return {SendResult::Status::temporary_failure, "451 4.3.0 try later"};
  }
};

long long next_attempt_of(Store& store, const std::string& message_id) {
  return count(store, "SELECT next_attempt_at FROM outbox WHERE message_id = '" + message_id + "'");
}
}  // namespace

TEST_CASE("outbox: backoff doubles from one minute to one hour over the attempts, each delay within ±20 %, spread by the jitter") {
  TempDir dir;
  Store store(dir.path / "store");
  const sys_seconds t0 = at(2026, 11, 20, 11);
  constexpr int kRows = 20;
  std::vector<std::string> ids;
  for (int i = 0; i < kRows; ++i) {
    ids.push_back("backoff-" + std::to_string(i) + "@x");
    enqueue_committed(store, {std::nullopt, std::nullopt, "acknowledgement", "ack_received", "",
                              "r" + std::to_string(i) + "@example.jp", ids.back(), "raw"},
                      t0);
  }
  AlwaysLater sink;
  std::vector<sys_seconds> when(kRows, t0);  // each row's next due time
  for (int attempt = 1; attempt <= 9; ++attempt) {
    CAPTURE(attempt);
    const long long base = std::min(60LL << (attempt - 1), 3600LL);
    std::set<long long> delays;
    // One round at the latest due time tries every row; none is tried a second early.
    const sys_seconds earliest = *std::min_element(when.begin(), when.end());
    const sys_seconds latest = *std::max_element(when.begin(), when.end());
    if (attempt > 1) {
      const int before = sink.calls;
      CHECK(deliver_due(store, sink, earliest - 1s, 48h).deferred == 0);
      CHECK(sink.calls == before);
    }
    const auto s = deliver_due(store, sink, latest, 48h);
    CHECK(s.deferred == kRows);
    CHECK(s.failed == 0);
    for (int i = 0; i < kRows; ++i) {
      const long long next = next_attempt_of(store, ids[static_cast<std::size_t>(i)]);
      const long long delay = next - latest.time_since_epoch().count();
      CAPTURE(delay);
      CHECK(delay >= base * 8 / 10);
      CHECK(delay < base * 12 / 10 + 1);
      delays.insert(delay);
      when[static_cast<std::size_t>(i)] = sys_seconds(std::chrono::seconds(next));
    }
    // Twenty rows deferred by one outage do not all come back in the same second.
    CHECK(delays.size() > 1);
    CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts = " +
                           std::to_string(attempt)) == kRows);
  }
}

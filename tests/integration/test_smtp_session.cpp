// A session-level refusal against a real SMTP server (tests/integration/smtp_scripted.py):
// relay denied at MAIL FROM, EHLO refused, authentication required. The server refuses every
// mail alike, so no row may fail for good: the row tried waits with the backoff, the round
// stops, `smtp_unavailable` says why (code and stage, no address), and once the server
// accepts again each row goes out exactly once. A refusal of one recipient (RCPT TO) stays
// that row's permanent failure and the round goes on; `outbox retry` brings a failed row
// back (a compare-and-set on failed) and it is then sent once.
#include <doctest/doctest.h>

#include "daemon/service/delivery.h"
#include "daemon/service/outbox_admin.h"
#include "daemon/store/outbox.h"
#include "daemon/store/store.h"
#include "daemon/transport/smtp_sink.h"
#include "log_capture.h"
#include "parsers/parsed_mail.h"
#include "smtp_fixture.h"

#include <fstream>
#include <set>

using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace madoguchi::testing::smtp;

namespace {

constexpr std::chrono::hours kMaxAge{48};

// How many times `needle` occurs in `text`.
int occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("smtp: relay denied at MAIL FROM defers, stops the round, and each row goes out once when it accepts") {
  LogCapture log;
  TempDir tmp;
  const fs::path refusing = tmp.path / "refusing";
  std::ofstream(refusing) << "on\n";
  ScriptedSmtp server(tmp.path, {"--refuse-mail", "554 5.7.1 <support@passlogic.example.jp>: Relay access denied",
                                 "--refuse-while", refusing.string()});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto a = queue(store, "yamada@example.co.jp", 1, false);  // sender support@passlogic.example.jp
  const auto b = queue(store, "suzuki@example.co.jp", 2);
  const auto c = queue(store, "tanaka@example.co.jp", 3);

  sys_seconds t = kNow;
  for (int round = 1; round <= 2; ++round) {
    const auto s = deliver_due(store, sink, t, kMaxAge);
    CHECK(s.failed == 0);
    CHECK(s.deferred == 1);  // the first refusal ends the round
    CHECK(s.server_unreachable);
    const RowState r = row_state(store, a);
    CAPTURE(r.last_reply);
    CHECK(r.state == "pending");
    CHECK(r.attempts == round);
    CHECK(r.last_reply.rfind("554 5.7.1", 0) == 0);
    t += std::chrono::hours(1);  // past the backoff
  }
  for (auto id : {b, c}) {
    CHECK(row_state(store, id).state == "pending");
    CHECK(row_state(store, id).attempts == 0);  // not tried while the server refuses everyone
  }
  CHECK(server.captured().empty());
  CHECK(occurrences(server.transcript(), "MAIL refused 554\n") == 2);
  INFO(log.text());
  CHECK(log.count("event=smtp_unavailable") == 2);
  CHECK(log.count("event=smtp_unavailable code=554 stage=mail_from") == 2);
  CHECK(log.count("event=outbox_failed") == 0);
  CHECK(log.text().find("support@passlogic") == std::string::npos);  // the reply echoes our sender
  CHECK(log.text().find("yamada@") == std::string::npos);

  fs::remove(refusing);  // the relay is fixed
  const auto s = deliver_due(store, sink, t + std::chrono::hours(1), kMaxAge);
  CHECK(s.sent == 3);
  CHECK_FALSE(s.server_unreachable);
  CHECK(deliver_due(store, sink, t + std::chrono::hours(5), kMaxAge).sent == 0);
  for (auto id : {a, b, c}) CHECK(row_state(store, id).state == "sent");
  const auto files = server.captured();
  REQUIRE(files.size() == 3);
  std::set<std::string> ids;
  for (const auto& f : files) ids.insert(madoguchi::parsers::parse_mail(slurp(f)).message_id);
  CHECK(ids.size() == 3);
  CHECK(log.count("event=smtp_unavailable") == 2);
}

TEST_CASE("smtp: EHLO and HELO refused, or authentication required at MAIL FROM, is the session too") {
  LogCapture log;
  TempDir tmp;
  // One round: the first row deferred with `code`, the second not tried, one smtp_unavailable.
  const auto refused_round = [&](const std::vector<std::string>& server_args, const std::string& code,
                                 const std::string& stage) {
    ScriptedSmtp server(tmp.path, server_args);
    Store store(tmp.path / "store");
    SmtpSink sink(plain(server.url()));
    const auto a = queue(store, "yamada@example.co.jp", 1);
    const auto b = queue(store, "suzuki@example.co.jp", 2);
    const auto s = deliver_due(store, sink, kNow, kMaxAge);
    CHECK(s.failed == 0);
    CHECK(s.deferred == 1);
    CHECK(s.server_unreachable);
    CHECK(row_state(store, a).state == "pending");
    CHECK(row_state(store, a).last_reply.rfind(code, 0) == 0);
    CHECK(row_state(store, b).attempts == 0);
    INFO(log.text());
    CHECK(log.count("event=smtp_unavailable code=" + code + " stage=" + stage) == 1);
    return server.transcript();
  };
  SUBCASE("554 to EHLO and to the HELO fallback") {
    const auto transcript = refused_round({"--refuse-ehlo", "554 5.7.1 No SMTP service here"}, "554", "ehlo");
    CHECK(transcript.find("HELO refused 554\n") != std::string::npos);
  }
  SUBCASE("530 to MAIL FROM: the server wants AUTH and none is configured") {
    refused_round({"--auth", "relay:s3cret-pw"}, "530", "mail_from");
  }
}

TEST_CASE("smtp: 5xx at RCPT TO fails that one row, the round goes on and the server is not reported down") {
  LogCapture log;
  TempDir tmp;
  ScriptedSmtp server(tmp.path, {"--reject-rcpt", "nobody@example.co.jp=550"});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto first = queue(store, "yamada@example.co.jp", 1);
  const auto unknown = queue(store, "nobody@example.co.jp", 2);
  const auto last = queue(store, "suzuki@example.co.jp", 3);
  const auto s = deliver_due(store, sink, kNow, kMaxAge);
  CHECK(s.sent == 2);
  CHECK(s.failed == 1);
  CHECK_FALSE(s.server_unreachable);
  CHECK(row_state(store, first).state == "sent");
  CHECK(row_state(store, unknown).state == "failed");
  CHECK(row_state(store, unknown).last_reply.rfind("550 5.1.1", 0) == 0);
  CHECK(row_state(store, last).state == "sent");
  INFO(log.text());
  CHECK(log.count("event=smtp_unavailable") == 0);
  CHECK(log.count("event=outbox_failed") == 1);
  CHECK(server.captured().size() == 2);
}

TEST_CASE("outbox retry: a failed row is sent once more, once, and a row that is not failed is left alone") {
  LogCapture log;
  TempDir tmp;
  const fs::path refusing = tmp.path / "refusing";
  std::ofstream(refusing) << "on\n";
  ScriptedSmtp server(tmp.path, {"--reject-rcpt", "nobody@example.co.jp=550", "--reject-rcpt",
                                 "gone@example.co.jp=550", "--refuse-while", refusing.string()});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto ok = queue(store, "yamada@example.co.jp", 1);
  const auto nobody = queue(store, "nobody@example.co.jp", 2);
  const auto gone = queue(store, "gone@example.co.jp", 3);
  CHECK(deliver_due(store, sink, kNow, kMaxAge).failed == 2);
  CHECK(row_state(store, nobody).state == "failed");

  // Not failed, or not there: refused, nothing changes.
  CHECK(retry_outbox_mail(store, ok, kNow).code == OutboxRetryResult::Code::not_failed);
  CHECK(retry_outbox_mail(store, 9999, kNow).code == OutboxRetryResult::Code::not_found);
  CHECK(row_state(store, ok).state == "sent");
  CHECK(row_state(store, ok).attempts == 1);
  CHECK(log.count("event=outbox_retry") == 0);

  fs::remove(refusing);  // the mailboxes exist now
  const sys_seconds t = kNow + std::chrono::hours(1);
  CHECK(deliver_due(store, sink, t, kMaxAge).sent == 0);  // failed stays failed until retried
  const auto one = retry_outbox_mail(store, nobody, t);
  CHECK(one.code == OutboxRetryResult::Code::retried);
  CHECK(one.count == 1);
  const RowState r = row_state(store, nobody);
  CHECK(r.state == "pending");
  CHECK(r.attempts == 1);  // kept: the row's history
  CHECK(retry_outbox_mail(store, nobody, t).code == OutboxRetryResult::Code::not_failed);  // retried already
  CHECK(log.count("event=outbox_retry outbox=" + std::to_string(nobody)) == 1);
  CHECK(deliver_due(store, sink, t, kMaxAge).sent == 1);  // due at once, not after a backoff
  CHECK(row_state(store, nobody).state == "sent");
  CHECK(row_state(store, nobody).attempts == 2);
  CHECK(row_state(store, gone).state == "failed");  // only the row asked for

  const auto all = retry_all_failed_outbox_mail(store, t);
  CHECK(all.count == 1);
  CHECK(deliver_due(store, sink, t, kMaxAge).sent == 1);
  CHECK(deliver_due(store, sink, t + std::chrono::hours(5), kMaxAge).sent == 0);
  CHECK(retry_all_failed_outbox_mail(store, t).count == 0);
  const auto files = server.captured();
  REQUIRE(files.size() == 3);
  std::set<std::string> ids;
  for (const auto& f : files) ids.insert(madoguchi::parsers::parse_mail(slurp(f)).message_id);
  CHECK(ids.size() == 3);
  CHECK(occurrences(server.transcript(), "RCPT nobody@example.co.jp 250\n") == 1);
}

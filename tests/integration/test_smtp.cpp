// The outbox and the SMTP sink against real SMTP servers on loopback: the kit's aiosmtpd
// capture server (STARTTLS with the kit's CA, AUTH) and a scripted
// aiosmtpd server (tests/integration/smtp_scripted.py) that answers 4xx then 250, or 550.
// Rows live in a real SQLite store; time is passed in, so backoff is checked without sleeping.
// The helpers (the scripted server, queueing, reading a row) are in smtp_fixture.h.
#include <doctest/doctest.h>

#include "daemon/store/outbox.h"
#include "daemon/service/delivery.h"
#include "daemon/service/bounces.h"
#include "daemon/transport/smtp_sink.h"
#include "daemon/store/store.h"
#include "daemon/store/messages.h"
#include "daemon/store/tickets.h"
#include "mail_servers.h"
#include "smtp_fixture.h"
#include "store_helpers.h"
#include "parsers/parsed_mail.h"

#include <nlohmann/json.hpp>

#include <set>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace madoguchi::testing::smtp;
using std::chrono::sys_seconds;

TEST_CASE("smtp: STARTTLS verified with the kit's CA, AUTH from a password file, null sender, exact bytes") {
  MailServerOptions o;
  o.start_dovecot = false;
  o.smtp_tls = true;
  o.smtp_require_tls = true;
  o.smtp_auth = "relay:s3cret-pw";
  MailServers servers(o);
  TempDir tmp;
  Store store(tmp.path / "store");
  std::ofstream(tmp.path / "smtp.pw") << "s3cret-pw\n";

  SmtpConfig cfg;
  cfg.url = servers.smtp_url();  // smtp:// = STARTTLS required
  cfg.user = "relay";
  cfg.password_file = (tmp.path / "smtp.pw").string();
  cfg.ca_file = servers.ca_cert().string();
  SmtpSink sink(smtp_options_from_config(cfg));

  const auto a = queue(store, "yamada@example.co.jp", 1, true);
  const auto b = queue(store, "staff@passlogic.example.jp", 2, false);
  const auto stats = deliver_due(store, sink, kNow, std::chrono::hours(48));
  CHECK(stats.sent == 2);
  CHECK(row_state(store, a).state == "sent");
  CHECK(row_state(store, a).last_reply.rfind("250", 0) == 0);
  CHECK(row_state(store, b).attempts == 1);

  const auto files = servers.captured();
  REQUIRE(files.size() == 2);
  SQLite::Statement q(store.db(), "SELECT raw FROM outbox WHERE id = ?");
  q.bind(1, a);
  REQUIRE(q.executeStep());
  const std::string stored(static_cast<const char*>(q.getColumn(0).getBlob()),
                           static_cast<std::size_t>(q.getColumn(0).getBytes()));
  CHECK(slurp(files[0]) == stored);  // dot-stuffing undone by the server: the same bytes
  const auto env1 = nlohmann::json::parse(slurp(fs::path(files[0]).replace_extension(".json")));
  CHECK(env1["mail_from"] == "<>");  // RFC 3834 null sender for automatic mail
  CHECK(env1["tls"] == true);
  CHECK(env1["auth_user"] == "relay");
  CHECK(env1["rcpt_tos"] == nlohmann::json::array({"yamada@example.co.jp"}));
  CHECK(env1["mail_options"].dump().find("8BITMIME") == std::string::npos);
  const auto env2 = nlohmann::json::parse(slurp(fs::path(files[1]).replace_extension(".json")));
  CHECK(env2["mail_from"] == "support@passlogic.example.jp");
  const auto parsed = madoguchi::parsers::parse_mail(slurp(files[0]));
  CHECK(parsed.text.find(".先頭のドット") != std::string::npos);

  SUBCASE("without the kit's CA the certificate is not trusted: nothing is sent") {
    SmtpConfig nocafg = cfg;
    nocafg.ca_file.clear();
    SmtpSink untrusted(smtp_options_from_config(nocafg));
    const auto c = queue(store, "c@example.co.jp", 3);
    CHECK(deliver_due(store, untrusted, kNow, std::chrono::hours(48)).sent == 0);
    CHECK(row_state(store, c).state == "pending");
    CHECK(row_state(store, c).last_reply.rfind("no reply: ", 0) == 0);
    CHECK(servers.captured().size() == 2);
  }
}

TEST_CASE("smtp: a wrong password defers (the configuration is wrong, not the mail) and ends the round") {
  TempDir tmp;
  ScriptedSmtp server(tmp.path, {"--auth", "relay:s3cret-pw"});
  Store store(tmp.path / "store");
  SmtpOptions bad = plain(server.url());
  bad.user = "relay";
  bad.password = "wrong-pw";
  SmtpSink sink(bad);
  const auto c = queue(store, "c@example.co.jp", 3);
  const auto d = queue(store, "d@example.co.jp", 4);
  const auto s = deliver_due(store, sink, kNow, std::chrono::hours(48));
  CHECK(s.deferred == 1);
  CHECK(s.server_unreachable);
  const RowState r = row_state(store, c);
  CAPTURE(r.last_reply);
  CHECK(r.state == "pending");
  CHECK(r.last_reply.rfind("535", 0) == 0);
  CHECK(r.last_reply.find("wrong-pw") == std::string::npos);
  CHECK(row_state(store, d).attempts == 0);  // not tried in a round the server refused
  CHECK(server.captured().empty());

  SmtpOptions good = bad;
  good.password = "s3cret-pw";
  SmtpSink right(good);
  CHECK(deliver_due(store, right, kNow + std::chrono::hours(1), std::chrono::hours(48)).sent == 2);
  CHECK(server.captured().size() == 2);
  CHECK(server.transcript().find("AUTH PLAIN refused\n") != std::string::npos);
  CHECK(server.transcript().find("AUTH PLAIN ok\n") != std::string::npos);
}

TEST_CASE("smtp: a server without STARTTLS is refused unless allow_plaintext, and smtps:// to a plain port fails") {
  MailServerOptions o;
  o.start_dovecot = false;
  MailServers servers(o);
  TempDir tmp;
  Store store(tmp.path / "store");
  SmtpOptions strict = plain(servers.smtp_url());
  strict.allow_plaintext = false;
  SmtpSink sink(strict);
  const auto a = queue(store, "yamada@example.co.jp", 1);
  CHECK(deliver_due(store, sink, kNow, std::chrono::hours(48)).sent == 0);
  CHECK(row_state(store, a).state == "pending");
  CHECK(servers.captured().empty());

  SmtpOptions tls = plain("smtps://127.0.0.1:" + std::to_string(servers.smtp_port));
  SmtpSink implicit(tls);
  CHECK(deliver_due(store, implicit, kNow + std::chrono::hours(1), std::chrono::hours(48)).sent == 0);
  CHECK(servers.captured().empty());

  SmtpSink relaxed(plain(servers.smtp_url()));
  CHECK(deliver_due(store, relaxed, kNow + std::chrono::hours(2), std::chrono::hours(48)).sent == 1);
  CHECK(servers.captured().size() == 1);
}

TEST_CASE("smtp: 451 then 250 is retried after the backoff and delivered once") {
  TempDir tmp;
  ScriptedSmtp server(tmp.path, {"--data-replies", "451 4.3.0 Temporary local problem|250"});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto a = queue(store, "yamada@example.co.jp", 1);
  auto s = deliver_due(store, sink, kNow, std::chrono::hours(48));
  CHECK(s.deferred == 1);
  CHECK_FALSE(s.server_unreachable);  // a 4xx to this message says nothing about the others
  RowState r = row_state(store, a);
  CHECK(r.state == "pending");
  CHECK(r.attempts == 1);
  CHECK(r.last_reply.rfind("451 4.3.0", 0) == 0);
  // Not before the backoff (1 min, ±20 %)...
  CHECK(deliver_due(store, sink, kNow + std::chrono::seconds(40), std::chrono::hours(48)).sent == 0);
  // ...and after it.
  s = deliver_due(store, sink, kNow + std::chrono::seconds(80), std::chrono::hours(48));
  CHECK(s.sent == 1);
  r = row_state(store, a);
  CHECK(r.state == "sent");
  CHECK(r.attempts == 2);
  CHECK(r.last_reply.rfind("250", 0) == 0);
  CHECK(server.captured().size() == 1);
  CHECK(server.transcript() == "RCPT yamada@example.co.jp 250\nDATA 451\nRCPT yamada@example.co.jp 250\nDATA 250\n");
}

TEST_CASE("smtp: 550 at RCPT or after DATA is not retried and marked failed at once") {
  TempDir tmp;
  ScriptedSmtp server(tmp.path, {"--reject-rcpt", "nobody@example.co.jp=550", "--data-replies",
                                 "250|554 5.6.0 Message content rejected|250"});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto ok = queue(store, "yamada@example.co.jp", 1);
  const auto unknown = queue(store, "nobody@example.co.jp", 2);
  const auto content = queue(store, "suzuki@example.co.jp", 3);
  const auto s = deliver_due(store, sink, kNow, std::chrono::hours(48));
  CHECK(s.sent == 1);
  CHECK(s.failed == 2);
  CHECK(row_state(store, ok).state == "sent");
  const RowState u = row_state(store, unknown);
  CHECK(u.state == "failed");
  CHECK(u.attempts == 1);
  CAPTURE(u.last_reply);
  CHECK(u.last_reply.rfind("550 5.1.1", 0) == 0);
  const RowState c = row_state(store, content);
  CHECK(c.state == "failed");
  CHECK(c.last_reply.rfind("554 5.6.0", 0) == 0);
  // The refused mailbox (5.1.1) counts as a hard bounce towards suppression, the refused
  // content (5.6.0) does not: the address is fine.
  CHECK(hard_bounces_since(store, "nobody@example.co.jp", kNow - std::chrono::hours(1)) == 1);
  CHECK(hard_bounces_since(store, "suzuki@example.co.jp", kNow - std::chrono::hours(1)) == 0);
  // Later rounds leave them alone.
  CHECK(deliver_due(store, sink, kNow + std::chrono::hours(3), std::chrono::hours(48)).failed == 0);
  CHECK(row_state(store, unknown).attempts == 1);
  CHECK(server.captured().size() == 1);
}

TEST_CASE("smtp: a 4xx older than max_age becomes failed") {
  TempDir tmp;
  ScriptedSmtp server(tmp.path, {"--data-replies", "421 4.7.0 Too busy, try later"});
  Store store(tmp.path / "store");
  SmtpSink sink(plain(server.url()));
  const auto a = queue(store, "yamada@example.co.jp", 1);
  CHECK(deliver_due(store, sink, kNow, std::chrono::hours(2)).deferred == 1);
  CHECK(deliver_due(store, sink, kNow + std::chrono::hours(3), std::chrono::hours(2)).failed == 1);
  CHECK(row_state(store, a).state == "failed");
  CHECK(row_state(store, a).attempts == 2);
}

TEST_CASE("smtp: DSN hard bounces mark rows bounced and suppress automatic mail to that address") {
  MailServerOptions o;
  o.start_dovecot = false;
  MailServers servers(o);
  TempDir tmp;
  Store store(tmp.path / "store");
  SmtpSink sink(plain(servers.smtp_url()));
  const std::string hard_dsn =
      "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.co.jp\r\n\r\n"
      "Final-Recipient: rfc822; gone@example.co.jp\r\nAction: failed\r\nStatus: 5.1.1\r\n";
  const std::string delay_dsn =
      "Final-Recipient: rfc822; gone@example.co.jp\r\nAction: delayed\r\nStatus: 4.4.1\r\n";
  CHECK(summarize_dsn(hard_dsn).hard);
  CHECK(summarize_dsn(hard_dsn).status == "5.1.1");
  CHECK(summarize_dsn(delay_dsn).delayed);
  CHECK_FALSE(summarize_dsn(delay_dsn).hard);

  DeliveryPolicy policy;
  policy.hard_bounces_to_suppress = 2;
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 2; ++i) {
    ids.push_back(queue(store, "Gone@example.co.jp", i));
    CHECK(deliver_due(store, sink, kNow, policy).sent == 1);
    CHECK(mark_bounced_now(store, "mg." + std::to_string(i) + ".test@passlogic.example.jp",
                           summarize_dsn(hard_dsn), kNow));
    CHECK(row_state(store, ids.back()).state == "bounced");
  }
  CHECK_FALSE(mark_bounced_now(store, "unknown@elsewhere", summarize_dsn(hard_dsn), kNow));
  CHECK(hard_bounces_since(store, "gone@example.co.jp", kNow - std::chrono::hours(1)) == 2);

  // The third automatic reply is not sent; a person's reply (non-null sender) still is.
  const auto auto3 = queue(store, "gone@example.co.jp", 3, true);
  const auto staff4 = queue(store, "gone@example.co.jp", 4, false);
  const auto s = deliver_due(store, sink, kNow, policy);
  CHECK(s.suppressed == 1);
  CHECK(s.sent == 1);
  CHECK(row_state(store, auto3).state == "failed");
  CHECK(row_state(store, auto3).last_reply.rfind("suppressed", 0) == 0);
  CHECK(row_state(store, staff4).state == "sent");
  CHECK(servers.captured().size() == 3);

  // A delay report or a success notice marks nothing; the suppression ends after its period.
  const auto later = queue(store, "gone@example.co.jp", 5, true);
  CHECK(mark_bounced_now(store, "mg.5.test@passlogic.example.jp", summarize_dsn(delay_dsn), kNow));
  CHECK(row_state(store, later).state == "pending");
  const std::string delivered_dsn =
      "Final-Recipient: rfc822; gone@example.co.jp\r\nAction: delivered\r\nStatus: 2.0.0\r\n";
  CHECK(mark_bounced_now(store, "mg.5.test@passlogic.example.jp", summarize_dsn(delivered_dsn), kNow));
  CHECK(row_state(store, later).state == "pending");
  CHECK(hard_bounces_since(store, "gone@example.co.jp", kNow - std::chrono::hours(1)) == 2);
  CHECK(deliver_due(store, sink, kNow + policy.suppress_for + std::chrono::hours(1), policy).sent == 1);
}

// IMAP intake against the real Dovecot of tests/mailservers (STARTTLS and IMAPS, the kit's
// self-signed certificate verified with ca_file): new mail is ticketed; the server's flags
// are set only after the commit; IDLE wakes the watcher; a UIDVALIDITY change re-scans
// without duplicates (a reused Message-ID with other content is new); a 30 MB mail; a first run over 2,000 mails
// answers none of them; XOAUTH2 and OAUTHBEARER logins with a token file that is re-read at
// every connect. Each test starts its own Dovecot on free ports (~1 s).
#include <doctest/doctest.h>

#include "daemon/server/config.h"
#include "daemon/transport/imap_connection.h"
#include "daemon/transport/imap_source.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/service/timed_jobs.h"
#include "daemon/server/runtime.h"
#include "daemon/server/factories.h"
#include "daemon/store/store.h"
#include "daemon/store/messages.h"
#include "daemon/store/tickets.h"
#include "deployment.h"
#include "imap_deployment.h"
#include "log_capture.h"
#include "mail_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <functional>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using namespace std::chrono_literals;

TEST_CASE("imap: STARTTLS intake tickets new mail, flags it only after the commit") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "トークンの再発行", "s1@sakura-giken.co.jp"));
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "管理画面", "s2@sakura-giken.co.jp"));
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);

  // The commit fails (the spool cannot be written): nothing may be marked on the server.
  const fs::path spool = d.config.store / "spool";
  fs::rename(spool, d.config.store / "spool.away");
  std::ofstream(spool) << "not a directory";
  CHECK_THROWS(intake(p, source, d.mailbox()));
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 0);
  CHECK(server_count(servers, "SEEN") == 0);
  CHECK(server_count(servers, "ALL") == 2);
  // The checkpoint holds the server's real UIDVALIDITY, not the first-run placeholder 0.
  const auto state = mailbox_state(store, "main");
  REQUIRE(state);
  CHECK(state->uidvalidity > 0);
  CHECK(state->last_uid == 0);

  fs::remove(spool);
  fs::rename(d.config.store / "spool.away", spool);
  CHECK(intake(p, source, d.mailbox()) == 2);
  CHECK(server_count(servers, "SEEN") == 2);
  CHECK(mailbox_state(store, "main")->last_uid == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 0);
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 2);
  CHECK(processed[0].action == MailAction::new_ticket);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'") == 2);
  // Mail a human already read in the shared mailbox is still taken in (the checkpoint, not
  // \Seen, decides what is new).
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "既読", "s3@sakura-giken.co.jp"));
  doveadm(servers, "flags add -u support '\\Seen' mailbox INBOX uid 3");
  CHECK(intake(p, source, d.mailbox()) == 1);
  CHECK(intake(p, source, d.mailbox()) == 0);
}

TEST_CASE("imap: a crash between commit and mark re-marks that mail only, without a refetch") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  for (int i = 0; i < 3; ++i)
    servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "質問" + std::to_string(i),
                                  "c" + std::to_string(i) + "@sakura-giken.co.jp"));
  Store store(d.config.store);
  {
    // The crash: all three committed by hand through the source, none marked.
    ImapSource source(d.mailbox(), store);
    auto items = source.pending();
    REQUIRE(items.size() == 3);
    for (const auto& it : items) {
      IntakeRecord rec{"main", it.key, it.uidvalidity, it.uid, wall_now(), false, true};
      store_incoming(store, rec, source.fetch(it));
    }
  }
  CHECK(server_count(servers, "SEEN") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 3);
  // A human marks mail 2 unread-then-read, the restart must mark the rest.
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  CHECK(intake(p, source, d.mailbox()) == 0);
  CHECK(server_count(servers, "SEEN") == 3);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 3);
  CHECK(count(store, "SELECT COUNT(*) FROM imap_unmarked") == 0);
  // Marked once: a later unread mark by staff is left alone.
  doveadm(servers, "flags remove -u support '\\Seen' mailbox INBOX uid 1");
  CHECK(intake(p, source, d.mailbox()) == 0);
  CHECK(server_count(servers, "SEEN") == 2);
}

TEST_CASE("imap: IMAPS verifies the certificate and moves processed mail to a Japanese folder") {
  MailServers servers(dovecot_only());
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "移動", "m1@sakura-giken.co.jp"));
  {
    // A CA that did not sign the server's certificate: refused, nothing read.
    ImapDeployment wrong(servers, true, "    after_processing: move:処理済み\n");
    wrong.config.mailboxes[0].ca_file = "/etc/ssl/certs/ca-certificates.crt";
    Store store(wrong.config.store);
    ImapSource source(wrong.config.mailboxes[0], store);
    CHECK_THROWS_AS(source.pending(), SourceError);
  }
  ImapDeployment d(servers, true, "    after_processing: move:処理済み\n");
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  CHECK(intake(p, source, d.mailbox()) == 1);
  CHECK(server_count(servers, "ALL") == 0);
  CHECK(server_count(servers, "ALL", "処理済み") == 1);  // copied before it left INBOX
  CHECK(intake(p, source, d.mailbox()) == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 1);
}

namespace {

// Rewrites one `key = value` line of the fixture's dovecot.conf (every occurrence, indented
// or not) and reloads; waits until a new connection's greeting satisfies `served` — the
// restarted login processes serve the new settings.
void reconfigure_dovecot(const MailServers& s, const std::string& key, const std::string& value,
                         const std::function<bool(const std::string&)>& served) {
  const fs::path conf = s.dovecot_conf();
  std::ifstream in(conf);
  std::string text, line;
  int changed = 0;
  while (std::getline(in, line)) {
    const auto indent = line.find_first_not_of(" \t");
    if (indent != std::string::npos && line.compare(indent, key.size() + 3, key + " = ") == 0) {
      line = line.substr(0, indent) + key + " = " + value;
      ++changed;
    }
    text += line + "\n";
  }
  in.close();
  REQUIRE(changed > 0);
  std::ofstream(conf, std::ios::trunc) << text;
  doveadm(s, "reload");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string greeting;
  while (!served(greeting = s.imap_greeting()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  INFO("greeting after reload: " << greeting);
  REQUIRE(served(greeting));
}

// The AUTH= mechanisms of a greeting, upper case, in order.
std::vector<std::string> greeting_mechanisms(const std::string& greeting) {
  std::vector<std::string> out;
  std::istringstream words(greeting);
  for (std::string w; words >> w;) {
    if (w.back() == ']') w.pop_back();
    if (w.rfind("AUTH=", 0) == 0) out.push_back(w.substr(5));
  }
  return out;
}

// Dovecot 2.3 checks an XOAUTH2 / OAUTHBEARER bearer token through its passdb like a
// password, so the kit's passwd-file password serves as the token the operator's token tool
// would write. The fixture's auth_mechanisms are narrowed to `mechanisms` and reloaded.
void offer_sasl(const MailServers& s, const std::string& mechanisms) {
  std::vector<std::string> wanted;
  std::istringstream words(mechanisms);
  for (std::string w; words >> w;) {
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    wanted.push_back(w);
  }
  reconfigure_dovecot(s, "auth_mechanisms", mechanisms,
                      [&](const std::string& g) { return greeting_mechanisms(g) == wanted; });
}

// Rewrites the passwd-file line of the kit's user: a rotated token (in place, so the owner
// and group the kit gave the file stay). Dovecot re-reads it when its mtime has changed, but
// checks at most once a second: waits until its auth process accepts the new secret.
void set_dovecot_password(const MailServers& s, const std::string& secret) {
  std::ofstream(s.base() / "dovecot" / "users", std::ios::trunc)
      << s.user << ":{PLAIN}" << secret << "::::::\n";
  const std::string test = "doveadm -c '" + s.dovecot_conf().string() + "' auth test -x service=imap " +
                           s.user + " '" + secret + "' >/dev/null 2>&1";
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool accepted = false;
  while (!(accepted = std::system(test.c_str()) == 0) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  REQUIRE(accepted);
}

// How many logins the kit's Dovecot logged with this SASL method (any, when empty).
int logins_with(const MailServers& s, const std::string& method) {
  std::ifstream in(s.base() / "dovecot" / "log" / "dovecot.info.log");
  int n = 0;
  for (std::string line; std::getline(in, line);)
    n += line.find("Login: user=<" + s.user + ">") != std::string::npos &&
         (method.empty() || line.find("method=" + method + ",") != std::string::npos);
  return n;
}

}  // namespace

TEST_CASE("imap: XOAUTH2 with a token file that the token tool refreshes, read at every connect") {
  MailServers servers(dovecot_only());
  offer_sasl(servers, "plain login xoauth2");  // XOAUTH2 only (libcurl prefers OAUTHBEARER)
  ImapDeployment d(servers, false);
  MailboxConfig mb = d.mailbox();
  mb.password_file.clear();
  mb.xoauth2_token_file = d.dir.path / "imap.token";
  const std::string first = "ya29.first-token-7f3a", second = "ya29.second-token-c41d";
  set_dovecot_password(servers, first);
  std::ofstream(mb.xoauth2_token_file) << first << "\n";
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "XOAUTH2", "x1@sakura-giken.co.jp"));

  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  {
    ImapSource source(mb, store);
    CHECK(intake(p, source, mb) == 1);
  }
  CHECK(logins_with(servers, "XOAUTH2") == 1);
  CHECK(server_count(servers, "SEEN") == 1);

  // The provider rotates the token: the old one is refused with a connect error that never
  // contains the token; once the tool has written the new one, the next connection reads it
  // (nothing cached from the first login).
  set_dovecot_password(servers, second);
  {
    ImapSource source(mb, store);
    try {
      (void)source.pending();
      FAIL("a stale token logged in");
    } catch (const SourceError& e) {
      const std::string what = e.what();
      CHECK(what.find(first) == std::string::npos);
      CHECK(what.find("imap connect failed") != std::string::npos);
    }
  }
  std::ofstream(mb.xoauth2_token_file, std::ios::trunc) << second << "\n";
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "更新後", "x2@sakura-giken.co.jp"));
  {
    ImapSource source(mb, store);
    CHECK(intake(p, source, mb) == 1);
  }
  CHECK(logins_with(servers, "XOAUTH2") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 2);

  // Where the server offers OAUTHBEARER (RFC 7628) too, libcurl uses it with the same token.
  offer_sasl(servers, "plain login xoauth2 oauthbearer");
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "OAUTHBEARER", "x3@sakura-giken.co.jp"));
  {
    ImapSource source(mb, store);
    CHECK(intake(p, source, mb) == 1);
  }
  CHECK(logins_with(servers, "OAUTHBEARER") == 1);
}

// How many logins (any method) the kit's Dovecot logged for its user.
int logins(const MailServers& s) { return logins_with(s, ""); }

TEST_CASE("imap: imap:// without a working STARTTLS is refused, the password never sent in clear") {
  MailServers servers(dovecot_only());
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "平文", "p1@sakura-giken.co.jp"));
  {
    // STARTTLS is offered but the certificate does not verify: no fallback to plaintext.
    ImapDeployment wrong(servers, false);
    wrong.config.mailboxes[0].ca_file = "/etc/ssl/certs/ca-certificates.crt";
    Store store(wrong.config.store);
    ImapSource source(wrong.config.mailboxes[0], store);
    CHECK_THROWS_AS(source.pending(), SourceError);
  }
  // A server that neither offers nor accepts STARTTLS, as when a man in the middle strips
  // it from the capabilities (Dovecot with ssl = no; plaintext LOGIN stays allowed).
  reconfigure_dovecot(servers, "ssl", "no", [](const std::string& g) {
    return g.find("Dovecot") != std::string::npos && g.find("STARTTLS") == std::string::npos;
  });
  ImapDeployment d(servers, false);
  {
    Store store(d.config.store);
    Context p = make_context(store, d.config, wall_now, d.runtime);
    ImapSource source(d.mailbox(), store);
    CHECK_THROWS_AS(intake(p, source, d.mailbox()), SourceError);
    CHECK(count(store, "SELECT COUNT(*) FROM messages") == 0);
  }
  CHECK(logins(servers) == 0);  // no LOGIN or AUTHENTICATE reached the server
  CHECK(server_count(servers, "SEEN") == 0);
  // The control: the same server and mailbox with allow_plaintext (loopback tests only) is
  // read, so what refused the two above was the TLS requirement, not a broken server.
  d.config.mailboxes[0].allow_plaintext = true;
  Store store(d.config.store);
  ImapSource source(d.mailbox(), store);
  CHECK(source.pending().size() == 1);
  CHECK(logins(servers) == 1);
}

TEST_CASE("imap: IDLE wakes the watcher when mail arrives") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, true);
  LogCapture log;  // before the source: its watcher thread logs until it is stopped
  Store store(d.config.store);
  ImapSource source(d.mailbox(), store);
  std::atomic<int> woke{0};
  source.watch([&] { ++woke; });
  // The watcher has its connection and has EXAMINEd INBOX: Dovecot reports any mail that
  // arrives from now on to the IDLE that follows (it checks for changes right after
  // "+ idling"), so the delivery cannot fall into a gap.
  REQUIRE(log.wait_for("event=imap_idle_started", 20s));
  CHECK(woke == 0);
  const auto t0 = std::chrono::steady_clock::now();
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "至急", "i1@sakura-giken.co.jp"));
  const bool woken = log.wait_for("event=imap_idle_woke", 20s);
  const auto latency = std::chrono::steady_clock::now() - t0;
  source.stop_watching();
  INFO(log.text());
  REQUIRE(woken);
  CHECK(woke >= 1);
  CHECK(woke == log.count("event=imap_idle_woke"));  // every wake-up was the server's EXISTS ...
  CHECK(log.count("event=imap_idle_started") == 1);  // ... not by a reconnect
  CHECK(log.count("event=imap_reconnect_backoff") == 0);
  MESSAGE("IDLE wake-up after delivery: "
          << std::chrono::duration_cast<std::chrono::milliseconds>(latency).count()
          << " ms (Dovecot delays IDLE notifications by 500 ms)");
}

TEST_CASE("imap: a UIDVALIDITY change re-scans and stores only what is new") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  const std::string a = mail("it-admin@sakura-giken.co.jp", "A", "a@sakura-giken.co.jp");
  const std::string b = mail("it-admin@sakura-giken.co.jp", "B", "b@sakura-giken.co.jp");
  servers.deliver_to_inbox(a);
  servers.deliver_to_inbox(b);
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  CHECK(intake(p, source, d.mailbox()) == 2);
  const auto before = mailbox_state(store, "main")->uidvalidity;

  // The mailbox is rebuilt (a restore, a migration): same mails, new UIDVALIDITY.
  std::this_thread::sleep_for(1100ms);  // Dovecot's UIDVALIDITY is a time in seconds
  doveadm(servers, "expunge -u support mailbox INBOX all");
  fs::remove_all(servers.base() / "mail" / servers.user / "Maildir");
  servers.deliver_to_inbox(b);
  servers.deliver_to_inbox(a);
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "C", "c@sakura-giken.co.jp"));
  // A reused Message-ID with other content is a new mail.
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "A again, other text", "a@sakura-giken.co.jp"));
  CHECK(intake(p, source, d.mailbox()) == 2);
  CHECK(mailbox_state(store, "main")->uidvalidity != before);
  CHECK(mailbox_state(store, "main")->last_uid == 4);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 4);
  CHECK(count(store, "SELECT COUNT(DISTINCT sha256) FROM messages") == 4);
  CHECK(server_count(servers, "SEEN") == 4);
  CHECK(intake(p, source, d.mailbox()) == 0);
}

TEST_CASE("imap: a 30 MB mail is stored up to max_message_size, ticketed and flagged, never answered") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, true);
  std::string big = "From: it-admin@sakura-giken.co.jp\r\nTo: support@passlogic-cloud.example.jp\r\n"
                    "Subject: =?UTF-8?B?5aSn44GN44Gq5re75LuY?=\r\nMessage-ID: <big@sakura-giken.co.jp>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    "Content-Type: text/plain; charset=UTF-8\r\n\r\nログを添付します。\r\n--b\r\n"
                    "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const std::string line(76, 'A');
  while (big.size() < 30u * 1000 * 1000) big += line + "\r\n";
  big += "--b--\r\n";
  servers.deliver_to_inbox(big);
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "小さい", "small@sakura-giken.co.jp"));
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(intake(p, source, d.mailbox()) == 2);
  MESSAGE("30 MB mail intake: " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - t0).count() << " ms");
  const auto limit = static_cast<long long>(d.mailbox().max_message_size);
  CHECK(limit == 25ll << 20);
  CHECK(count(store, "SELECT size FROM messages WHERE uid = 1") == limit);
  CHECK(count(store, "SELECT suppress_auto_reply FROM messages WHERE uid = 1") == 2);  // 2 = oversize
  CHECK(count(store, "SELECT suppress_auto_reply FROM messages WHERE uid = 2") == 0);
  SQLite::Statement q(store.db(), "SELECT sha256 FROM messages WHERE uid = 1");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == sha256_hex(std::string_view(big).substr(0, static_cast<std::size_t>(limit))));
  CHECK(server_count(servers, "SEEN") == 2);  // the whole mail stays on the server
  const auto processed = process_pending(p);
  REQUIRE(processed.size() == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 2);
  // The cut mail's ticket is flagged for staff, and says why it was not answered.
  CHECK(processed[0].note == "oversize_mail");
  CHECK(count(store, "SELECT t.flagged FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.uid = 1") == 1);
  CHECK(count(store, "SELECT t.flagged FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.uid = 2") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox o JOIN messages m ON o.cause_message = m.id "
                     "WHERE m.uid = 1 AND o.kind IN ('acknowledgement','refusal')") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'") == 1);
}

TEST_CASE("imap: first run over 2,000 mails tickets them all without replies") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false, "", "7d");
  const std::string fill = kit_env(servers) + " RESET=1 bash '" +
                           (madoguchi::testing::mail_server_kit() / "fill-mailbox.sh").string() +
                           "' 2000 maildir 2>&1";
  const std::string filled = shell(fill);  // (INFO evaluates lazily: run it first)
  INFO(filled);
  servers.stamp_arrivals(wall_now());  // they arrive now by this process's clock (mail_servers.h)
  REQUIRE(server_count(servers, "ALL") == 2000);
  // The daemon first starts 30 days after these mails arrived. (Dovecot keeps the delivery
  // time as INTERNALDATE and refuses future APPEND dates, so the clock moves instead.)
  const sys_seconds now = wall_now() + std::chrono::days(30);
  Store store(d.config.store);
  Context p = make_context(store, d.config, [&] { return now; }, d.runtime);
  ImapSource source(d.mailbox(), store);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(intake(p, source, d.mailbox()) == 2000);
  const auto t1 = std::chrono::steady_clock::now();
  process_pending(p);
  const auto t2 = std::chrono::steady_clock::now();
  MESSAGE("2,000 mails: intake " << std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count()
          << " ms, stages " << std::chrono::duration_cast<std::chrono::milliseconds>(t2 - t1).count() << " ms");
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 2000);
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE suppress_auto_reply = 0") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE kind IN ('acknowledgement','refusal')") == 0);
  // Every mail went through every stage (the corpus holds auto-replies, bounces and
  // follow-ups, so not every mail opens its own ticket), and each was accounted for.
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE state != 'ticketed'") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE ticket_id IS NULL AND "
                     "outcome NOT IN ('auto_reply_received', 'bounce')") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") > 1000);
  CHECK(server_count(servers, "SEEN") == 2000);

  CHECK(intake(p, source, d.mailbox()) == 0);
}

TEST_CASE("imap: a mail the server cannot FETCH stops the pass at it, then a stub stands in for it and intake goes on") {
  MailServers servers(dovecot_only());
  ImapDeployment d(servers, false);
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "A", "fa@sakura-giken.co.jp"));
  const auto before = servers.inbox_files();
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "B", "fb@sakura-giken.co.jp"));
  std::string broken_name;
  fs::path broken;
  for (const auto& [unique, path] : servers.inbox_files())
    if (!before.count(unique)) {
      broken_name = unique;
      broken = path;
    }
  REQUIRE(!broken.empty());
  servers.deliver_to_inbox(mail("it-admin@sakura-giken.co.jp", "C", "fc@sakura-giken.co.jp"));
  // Dovecot's mail processes (not root) can no longer read B: its FETCH answers NO.
  fs::permissions(broken, fs::perms::none);
  Store store(d.config.store);
  Context p = make_context(store, d.config, wall_now, d.runtime);
  ImapSource source(d.mailbox(), store);
  source.backoff_base = 1ms;  // the reconnect after each failure, without the test waiting
  LogCapture log;
  // Dovecot ends the connection (BYE) at B's FETCH. Was: every pass ended there
  // ("mailbox_failed"), C never came in. Now B is fetched alone, counted, and after the
  // third failure (imap_fetch_attempts: 3) a stub stands in for it and intake goes on.
  auto pass = [&] { intake_pass(p, source, d.mailbox()); };
  for (int i = 0; i < 20 && log.count("event=fetch_failed") < 3; ++i) {
    pass();
    if (log.count("event=fetch_failed") < 3) {
      CHECK(mailbox_state(store, "main")->last_uid <= 1);  // never past B before its stub
      CHECK(count(store, "SELECT COUNT(*) FROM messages") <= 1);
    }
  }
  CHECK(log.count("event=fetch_failed") == 3);
  for (int i = 0; i < 20 && count(store, "SELECT COUNT(*) FROM messages") < 3; ++i) pass();
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 3);  // A, the stub, C
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE stub = 1 AND error LIKE '%could not be fetched 3 times%'") == 1);
  CHECK(mailbox_state(store, "main")->last_uid == 3);
  // The stub is a flagged ticket for staff; A and C are ordinary tickets.
  const auto done = process_pending(p);
  CHECK(done.size() == 3);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets WHERE outcome = 'set_aside' AND flagged = 1 AND "
                     "subject = '(取得できなかったメール)'") == 1);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 3);
  // Marked on the server only after the stub's commit, like any stored mail.
  CHECK(server_count(servers, "SEEN") == 3);
  fs::permissions(servers.inbox_files().at(broken_name), fs::perms::owner_read | fs::perms::owner_write);
}

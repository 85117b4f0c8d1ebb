// A mail loop against a real autoresponder (issue 14's fault suite): the customer and the staff
// member are on holiday, each with a Sieve `vacation` in Dovecot (Pigeonhole, Debian's
// dovecot-sieve). Everything madoguchi sends goes through the SMTP capture server into their
// real mailboxes over LMTP, and every vacation answer goes back through the capture server into
// the desk's mailbox, which the running daemon reads over IMAP. The exchange must stop after at
// most one automatic reply each way: the acknowledgement (null sender, Auto-Submitted) is
// answered by no vacation, the staff notice neither, the staff member's human reply gets one
// vacation answer, and madoguchi answers that with nothing.
#include <doctest/doctest.h>

#include "integration/deployment.h"
#include "integration/mail_servers.h"
#include "system/captured_mail.h"
#include "system/daemon_process.h"

#include <csignal>
#include <random>

namespace fs = std::filesystem;
using namespace madoguchi::testing;

namespace {

constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";
constexpr const char* kStaff = "staff@passlogic-cloud.example.jp";
// The desk's address (config/desks), the envelope sender of its human mail.
constexpr const char* kDesk = "passlogic-support@madoguchi.example.jp";

std::string mail_to_desk(const std::string& from, const std::string& subject, const std::string& msgid,
                         const std::string& body) {
  const std::string auth =
      from == kStaff ? "Authentication-Results: mx.passlogic-cloud.example.jp; dmarc=pass header.from=passlogic-cloud.example.jp\r\n"
                     : "";
  return auth + "From: " + from + "\r\nTo: " + kDesk + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgid +
         ">\r\nDate: Fri, 20 Nov 2026 11:00:00 +0900\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n";
}

bool automatic(const Captured& c) { return !c.mail.auto_submitted.empty() && c.mail.auto_submitted != "no"; }

bool from_address(const Captured& c, const std::string& address) {
  return !c.mail.from.empty() && c.mail.from[0].address == address;
}

// Waits until nothing new has been captured for `quiet` (the daemon polls every second), and
// returns what was captured by then; at most `limit` in all.
std::vector<Captured> settled(const MailServers& servers, std::chrono::seconds quiet, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::size_t seen = captured(servers).size();
  auto last_change = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline && std::chrono::steady_clock::now() - last_change < quiet) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::size_t now_seen = captured(servers).size();
    if (now_seen != seen) {
      seen = now_seen;
      last_change = std::chrono::steady_clock::now();
    }
  }
  return captured(servers);
}

}  // namespace

TEST_CASE("mail loop: with the customer and the staff member on Sieve vacation, at most one automatic reply goes each way") {
  MailServerOptions options;
  options.smtp_forward_lmtp = true;
  options.vacation_users = {"it-admin", "staff"};
  options.user = "passlogic-support";  // the desk's mailbox: the vacation answers reach it
  MailServers servers(options);
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("madoguchi-loop-" + std::to_string(rd()));
  fs::create_directories(dir);
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  const fs::path config = dir / "madoguchi.yaml";
  std::ofstream(config) << "store: store\n"
                        << "desks: " << (src / "config/desks").string() << "\n"
                        << "tenants: " << demo_tenants_valid_always(dir / "tenants.yaml").string()
                        << "\ntemplates: " << (src / "templates").string() << "\n"
                        << "staff:\n  - address: " << kStaff << "\n    name: 鈴木 花子\n"
                        << "trusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n"
                        << "mailboxes:\n  - name: main\n    url: " << servers.imap_url() << "/INBOX\n"
                        << "    user: " << servers.user << "\n    password_env: MADOGUCHI_TEST_IMAP_PASSWORD\n"
                        << "    ca_file: " << servers.ca_cert().string() << "\n    desk: passlogic-cloud\n"
                        << "    first_run_cutoff: 36500d\n    poll_interval: 1s\n"
                        << "smtp:\n  url: " << servers.smtp_url() << "\n  allow_plaintext: true\n";
  servers.deliver_to_inbox(mail_to_desk(kCustomer, "ログインできません", "loop-q1@sakura-giken.co.jp",
                                        "ログイン時に E1042 が出ます。ご確認をお願いいたします。"));
  DaemonProcess daemon({"run", "--config", config.string()}, dir / "daemon.log",
                       {"MADOGUCHI_TEST_IMAP_PASSWORD=" + servers.password});
  INFO(daemon.log());

  // The acknowledgement and the staff notice, each delivered into a mailbox with a vacation;
  // neither vacation answers them (null sender, Auto-Submitted: RFC 3834 and RFC 5230).
  REQUIRE(wait_for(servers, 2).size() == 2);
  auto c = settled(servers, std::chrono::seconds(4), std::chrono::seconds(20));
  REQUIRE(c.size() == 2);
  const Captured& ack = c[0].recipient == kCustomer ? c[0] : c[1];
  CHECK(ack.recipient == kCustomer);
  CHECK(automatic(ack));
  const auto open = ack.mail.subject.find("[#MG-");
  REQUIRE(open != std::string::npos);
  const std::string tag = ack.mail.subject.substr(open, ack.mail.subject.find(']', open) - open + 1);
  const std::string number = tag.substr(2, 9);

  // The staff member answers by mail: a human reply with the desk as envelope sender, which the
  // customer's vacation answers once, into the desk's mailbox; madoguchi answers that with nothing.
  servers.deliver_to_inbox(mail_to_desk(kStaff, "Re: " + tag + " ログインできません", "loop-staff1@passlogic-cloud.example.jp",
                                        "証明書の期限をご確認ください。"));
  INFO(slurp(servers.base() / "dovecot/log/dovecot.info.log"));  // Pigeonhole says what it did
  INFO(slurp(servers.base() / "dovecot/log/dovecot.log"));
  REQUIRE(wait_for(servers, 4).size() >= 4);
  c = settled(servers, std::chrono::seconds(6), std::chrono::seconds(40));
  std::size_t to_customer_automatic = 0, to_customer_human = 0, from_customer_automatic = 0, to_staff = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    CAPTURE(c[i].mail.subject);
    if (c[i].recipient == kCustomer) {
      (automatic(c[i]) ? to_customer_automatic : to_customer_human) += 1;
    } else if (c[i].recipient == kStaff) {
      ++to_staff;
    } else if (from_address(c[i], kCustomer) && automatic(c[i])) {
      ++from_customer_automatic;
      CHECK(c[i].recipient == kDesk);
      CHECK(c[i].mail.subject.find(tag) != std::string::npos);
    }
  }
  CHECK(to_customer_automatic == 1);  // the acknowledgement, nothing more
  CHECK(to_customer_human == 1);      // the staff reply
  CHECK(from_customer_automatic == 1);  // the one vacation answer
  CHECK(to_staff == 1);               // the first notice; the vacation answer is no news for staff
  CHECK(c.size() == 4);  // and nothing else, for 6 s after the last mail (the daemon polls every 1 s)

  // The vacation answer is not lost: the ticket's history names it.
  const auto show = run_madoguchi({"ticket", "show", number, "--config", config.string()});
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("auto_reply_received") != std::string::npos);

  daemon.signal(SIGTERM);
  CHECK(daemon.wait(std::chrono::seconds(10)) == 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// The ticket life of SPEC.md §5 through the real binary and real servers: a customer's
// question put into Dovecot is fetched over IMAP (STARTTLS, certificate verified),
// acknowledged through the SMTP capture server with a keyed tag; a staff member's internal
// note, reply (quoting internal text) and close command, all sent as mail into the same
// mailbox, reach the customer as the reply template and the closing notice without the
// internal text; the customer's answer after closing reopens the ticket.
#include <doctest/doctest.h>

#include "../integration/deployment.h"
#include "../integration/mail_servers.h"
#include "captured_mail.h"
#include "daemon_process.h"
#include "parsers/parsed_mail.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using madoguchi::testing::DaemonProcess;
using madoguchi::testing::MailServers;
using madoguchi::testing::captured;
using madoguchi::testing::wait_for;

namespace {

constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";
constexpr const char* kStaff = "staff@passlogic-cloud.example.jp";

std::string mail(const std::string& from, const std::string& subject, const std::string& msgid,
                 const std::string& body) {
  // Staff mail carries what the desk's MTA writes on authenticated mail: only it speaks as staff.
  const std::string auth = from != kStaff ? std::string() :
      "Authentication-Results: mx.passlogic-cloud.example.jp; dmarc=pass header.from=passlogic-cloud.example.jp\r\n";
  return auth + "From: " + from + "\r\nTo: passlogic-support@madoguchi.example.jp\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + msgid + ">\r\nDate: Fri, 20 Nov 2026 11:00:00 +0900\r\n"
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n";
}

}  // namespace

TEST_CASE("ticket flow through real Dovecot and SMTP: ack, note, reply, close, reopen") {
  MailServers servers;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("madoguchi-flow-" + std::to_string(rd()));
  fs::create_directories(dir);
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  std::ofstream(dir / "madoguchi.yaml")
      << "store: store\n"
      << "desks: " << (src / "config/desks").string() << "\n"
      << "tenants: "  // valid around today: identity is decided at the arrival time, the wall clock
      << madoguchi::testing::demo_tenants_valid_around(dir / "tenants.yaml", madoguchi::testing::wall_clock_now())
             .string()
      << "\n"
      << "templates: " << (src / "templates").string() << "\n"
      << "staff: [" << kStaff << "]\n"
      << "trusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n"
      << "auto_replies_per_hour: 100\n"
      << "mailboxes:\n"
      << "  - name: main\n"
      << "    url: " << servers.imap_url() << "/INBOX\n"
      << "    user: " << servers.user << "\n"
      << "    password_env: MADOGUCHI_TEST_IMAP_PASSWORD\n"
      << "    ca_file: " << servers.ca_cert().string() << "\n"
      << "    desk: passlogic-cloud\n"
      << "    first_run_cutoff: 36500d\n"
      << "    poll_interval: 1s\n"
      << "smtp:\n"
      << "  url: " << servers.smtp_url() << "\n"
      << "  allow_plaintext: true\n";

  servers.deliver_to_inbox(mail(kCustomer, "トークンの再発行について", "flow-q1@sakura-giken.co.jp",
                                "ソフトウェアトークンの再発行手順を教えてください。"));
  DaemonProcess daemon({"run", "--config", (dir / "madoguchi.yaml").string()}, dir / "daemon.log",
                       {"MADOGUCHI_TEST_IMAP_PASSWORD=" + servers.password});
  INFO(daemon.log());

  // The acknowledgement to the customer and the staff notification.
  auto c = wait_for(servers, 2);
  REQUIRE(c.size() == 2);
  std::map<std::string, madoguchi::parsers::ParsedMail> by_rcpt;
  for (const auto& m : c) by_rcpt[m.recipient] = m.mail;
  REQUIRE(by_rcpt.count(kCustomer) == 1);
  REQUIRE(by_rcpt.count(kStaff) == 1);
  const auto& ack = by_rcpt[kCustomer];
  CHECK(ack.auto_submitted == "auto-replied");
  const auto open = ack.subject.find("[#MG-");
  REQUIRE(open != std::string::npos);
  const std::string tag = ack.subject.substr(open, ack.subject.find(']', open) - open + 1);
  CHECK(tag.size() == std::string("[#MG-000001-abcdef]").size());  // the keyed check is there

  // An internal note: nothing reaches the customer.
  servers.deliver_to_inbox(mail(kStaff, "Re: " + tag + " トークンの再発行について", "flow-n1@passlogic-cloud.example.jp",
                                "#note 顧客は旧バージョン。社内メモ：INT-42"));
  // The staff reply quoting internal text below the attribution.
  servers.deliver_to_inbox(mail(kStaff, "Re: " + tag + " トークンの再発行について", "flow-r1@passlogic-cloud.example.jp",
                                "佐藤様\r\n\r\n管理画面の［ユーザー管理］から再発行できます。\r\n\r\n"
                                "On Fri, Nov 20, 2026 at 11:00 AM staff wrote:\r\n> 社内メモ：INT-42\r\n"));
  c = wait_for(servers, 3);
  REQUIRE(c.size() >= 3);
  const auto& reply = c[2];
  CHECK(reply.recipient == kCustomer);
  CHECK(reply.mail.text.find("［ユーザー管理］から再発行できます") != std::string::npos);
  CHECK(reply.mail.text.find("社内メモ") == std::string::npos);
  CHECK(reply.mail.text.find("INT-42") == std::string::npos);
  CHECK(reply.mail.subject.find(tag) != std::string::npos);
  CHECK(reply.mail.in_reply_to == "flow-q1@sakura-giken.co.jp");

  // Close by command: the closing notice.
  servers.deliver_to_inbox(mail(kStaff, "Re: " + tag, "flow-c1@passlogic-cloud.example.jp", "#close answered_howto"));
  c = wait_for(servers, 4);
  REQUIRE(c.size() >= 4);
  CHECK(c[3].recipient == kCustomer);
  CHECK(c[3].mail.text.find("完了") != std::string::npos);

  // The customer answers after closing, within the reopen window: reopened, staff told.
  servers.deliver_to_inbox(mail(kCustomer, "Re: " + tag + " トークンの再発行について", "flow-q2@sakura-giken.co.jp",
                                "再発行後もログインできません。"));
  c = wait_for(servers, 5);
  REQUIRE(c.size() >= 5);
  CHECK(c[4].recipient == kStaff);

  // Nothing is sent twice: a few more polls add no mail.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK(captured(servers).size() == 5);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(std::chrono::seconds(10)) == 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// Staff work (issue 15) through the real binary, the real Dovecot and the SMTP capture server:
// the staff notice carries the customer's text without its quoted history and the attachment
// (a file over staff_attachment_limit is listed, not attached); staff replies written the way
// Gmail, Outlook and Apple Mail quote reach the customer without the quote, greeted with the
// company and signed with the staff member's name; a refused `#close fixed` is answered to the
// staff member; `#close resolved` with a remark sends only the closing notice; `ticket
// refuse` sends the rule's reason and citation; a CLI reply is sent by the running daemon
// within 2 s.
#include <doctest/doctest.h>

#include "../integration/deployment.h"
#include "../integration/mail_servers.h"
#include "captured_mail.h"
#include "daemon_process.h"

#include <csignal>
#include <random>

namespace fs = std::filesystem;
using namespace madoguchi::testing;

namespace {

constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";
constexpr const char* kStaff = "staff@passlogic-cloud.example.jp";
const std::string kAuth =
    "Authentication-Results: mx.passlogic-cloud.example.jp; dmarc=pass header.from=passlogic-cloud.example.jp\r\n";

std::string text_mail(const std::string& from, const std::string& subject, const std::string& msgid,
                      const std::string& body) {
  return (from == kStaff ? kAuth : std::string()) + "From: " + from +
         "\r\nTo: support@passlogic-cloud.example.jp\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgid +
         ">\r\nDate: Fri, 20 Nov 2026 11:00:00 +0900\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n";
}

// The customer's question with a small log file and a 1.5 MB capture (over the 1 MB limit).
std::string question_with_files(const std::string& log_text, std::size_t big) {
  std::string b64;
  for (std::size_t i = 0; i < big / 3; ++i) b64 += (i % 19 == 18) ? "QUJD\r\n" : "QUJD";
  return "From: =?UTF-8?B?55Sw5LitIOS4gOmDjg==?= <" + std::string(kCustomer) +
         ">\r\nTo: support@passlogic-cloud.example.jp\r\nSubject: =?UTF-8?B?44Ot44Kw44Kk44Oz44Ko44Op44O8?=\r\n"
         "Message-ID: <staff-work-q1@sakura-giken.co.jp>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0900\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
         "サポートご担当者様\r\n\r\nログイン時に E1042 が出ます。ログを添付します。\r\n\r\n"
         "2026年11月19日(木) 9:12 サポート窓口 <support@passlogic-cloud.example.jp>:\r\n"
         "> 社内向け：前回の調査メモ\r\n> よろしくお願いいたします。\r\n\r\n"
         "--b1\r\nContent-Type: text/plain; name=\"auth.log\"\r\nContent-Disposition: attachment; filename=\"auth.log\"\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n" + log_text + "\r\n"
         "--b1\r\nContent-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename*=UTF-8''%E7%94%BB%E9%9D%A2.bin\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n--b1--\r\n";
}

std::string tag_of(const std::string& subject) {
  const auto open = subject.find("[#MG-");
  return open == std::string::npos ? std::string() : subject.substr(open, subject.find(']', open) - open + 1);
}

}  // namespace

TEST_CASE("staff work through real Dovecot and SMTP: notices with text and files, quoted replies, commands, refuse, CLI pickup") {
  MailServers servers;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("madoguchi-staff-" + std::to_string(rd()));
  fs::create_directories(dir);
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  const fs::path config = dir / "madoguchi.yaml";
  std::ofstream(config) << "store: store\n"
                        << "desks: " << (src / "config/desks").string() << "\n"
                        << "tenants: " << demo_tenants_valid_always(dir / "tenants.yaml").string()
                        << "\ntemplates: " << (src / "templates").string() << "\n"
                        << "staff:\n  - address: " << kStaff << "\n    name: 鈴木 花子\n"
                        << "staff_attachment_limit: 1M\n"
                        << "trusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n"
                        << "auto_replies_per_hour: 100\n"
                        << "mailboxes:\n  - name: main\n    url: " << servers.imap_url() << "/INBOX\n"
                        << "    user: " << servers.user << "\n    password_env: MADOGUCHI_TEST_IMAP_PASSWORD\n"
                        << "    ca_file: " << servers.ca_cert().string() << "\n    desk: passlogic-cloud\n"
                        << "    first_run_cutoff: 36500d\n    poll_interval: 1s\n"
                        << "smtp:\n  url: " << servers.smtp_url() << "\n  allow_plaintext: true\n";
  const std::string log_text = "2026-11-20 09:58:01 auth failed code=E1042 user=u0012";
  servers.deliver_to_inbox(question_with_files(log_text, 1536 * 1024));
  DaemonProcess daemon({"run", "--config", config.string()}, dir / "daemon.log",
                       {"MADOGUCHI_TEST_IMAP_PASSWORD=" + servers.password});
  INFO(daemon.log());

  // The acknowledgement (To: with the customer's name) and the staff notice.
  auto c = wait_for(servers, 2);
  REQUIRE(c.size() == 2);
  const Captured& ack = c[0].recipient == kCustomer ? c[0] : c[1];
  const Captured& notice = c[0].recipient == kStaff ? c[0] : c[1];
  REQUIRE(ack.recipient == kCustomer);
  REQUIRE(notice.recipient == kStaff);
  REQUIRE(!ack.mail.to.empty());
  CHECK(ack.mail.to[0].name == "田中 一郎");
  const std::string tag = tag_of(ack.mail.subject);
  REQUIRE(!tag.empty());
  const std::string number = tag.substr(2, 9);
  const std::string& n = notice.mail.text;
  CHECK(n.find("ログイン時に E1042 が出ます。ログを添付します。") != std::string::npos);
  CHECK(n.find("前回の調査メモ") == std::string::npos);  // the quoted history is cut…
  CHECK(n.find("引用された履歴は省略しました") != std::string::npos);  // …and the notice says so
  CHECK(n.find("状態　　：未回答") != std::string::npos);
  CHECK(n.find("判定　　：サポート対象") != std::string::npos);
  CHECK(n.find("株式会社さくら技研") != std::string::npos);
  CHECK(n.find("1. auth.log") != std::string::npos);
  CHECK(n.find("2. 画面.bin") != std::string::npos);
  CHECK(n.find("未添付") != std::string::npos);
  CHECK(n.find("madoguchi ticket attachment " + number) != std::string::npos);
  REQUIRE(notice.mail.attachments.size() == 1);  // the small one attached, the large one listed
  CHECK(notice.mail.attachments[0].filename == "auth.log");
  CHECK(notice.mail.attachments[0].content.find(log_text) != std::string::npos);

  // Staff replies quoted the way three clients quote: the customer gets only the answer,
  // greeted with the company, signed with the staff member's name.
  const std::vector<std::pair<std::string, std::string>> replies = {
      {"gmail", "ログを確認しました。E1042 は証明書の期限切れです。\r\n\r\n"
                "2026年11月20日(金) 10:00 田中 一郎 <it-admin@sakura-giken.co.jp>:\r\n\r\n> ログを添付します。\r\n"},
      {"outlook", "証明書を更新してください。\r\n\r\n________________________________\r\n"
                  "差出人: 田中 一郎 <it-admin@sakura-giken.co.jp>\r\n送信日時: 2026年11月20日 10:00\r\n"
                  "宛先: support@passlogic-cloud.example.jp\r\n件名: ログインエラー\r\n\r\nログを添付します。\r\n"},
      {"apple", "手順書を別途お送りします。\r\n\r\n"
                "2026/11/20 10:00、田中 一郎 <it-admin@sakura-giken.co.jp>のメッセージ:\r\n\r\n> ログを添付します。\r\n"},
  };
  std::size_t seen = 2;
  for (const auto& [client, body] : replies) {
    CAPTURE(client);
    servers.deliver_to_inbox(text_mail(kStaff, "Re: " + tag + " ログインエラー", "staff-" + client + "@passlogic-cloud.example.jp", body));
    c = wait_for(servers, ++seen);
    REQUIRE(c.size() == seen);
    CHECK(c.back().recipient == kCustomer);
    const std::string& t = c.back().mail.text;
    CHECK(t.find("ログを添付します") == std::string::npos);
    CHECK(t.find("差出人") == std::string::npos);
    CHECK(t.find("のメッセージ") == std::string::npos);
    CHECK(t.find("株式会社さくら技研") != std::string::npos);
    CHECK(t.find("担当：鈴木 花子") != std::string::npos);
  }

  // A CLI reply: the running daemon sends it within 2 s.
  const auto cli = run_madoguchi({"ticket", "reply", number, "--config", config.string(), "--text", "補足です。", "--as", kStaff});
  const auto queued_at = std::chrono::steady_clock::now();
  CHECK(cli.exit_code == 0);
  CHECK(cli.output.find("queued; a running madoguchi daemon sends it within 2 s") != std::string::npos);
  c = wait_for(servers, ++seen, std::chrono::milliseconds(2000));
  CHECK(std::chrono::steady_clock::now() - queued_at <= std::chrono::milliseconds(2100));
  REQUIRE(c.size() == seen);
  CHECK(c.back().mail.text.find("補足です。") != std::string::npos);

  // A refused command: the staff member hears why, the customer nothing.
  servers.deliver_to_inbox(text_mail(kStaff, "Re: " + tag, "staff-bad@passlogic-cloud.example.jp", "#close fixed\r\n"));
  c = wait_for(servers, ++seen);
  REQUIRE(c.size() == seen);
  CHECK(c.back().recipient == kStaff);
  CHECK(c.back().mail.text.find("コマンドを実行できませんでした") != std::string::npos);
  CHECK(c.back().mail.text.find("resolved") != std::string::npos);  // the accepted values

  // `#close resolved` with a remark: only the closing notice, without the remark.
  servers.deliver_to_inbox(text_mail(kStaff, "Re: " + tag, "staff-close@passlogic-cloud.example.jp",
                                     "#close resolved\r\n\r\nお客様よりクローズ了承済み。\r\n"));
  c = wait_for(servers, ++seen);
  REQUIRE(c.size() == seen);
  CHECK(c.back().recipient == kCustomer);
  CHECK(c.back().mail.text.find("クローズ了承済み") == std::string::npos);
  CHECK(c.back().mail.text.find("株式会社さくら技研") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(captured(servers).size() == seen);  // nothing else: no reply carrying the remark

  // An out-of-scope request the rules flag for staff; `ticket refuse` sends the rule's reason.
  servers.deliver_to_inbox(text_mail(kCustomer, "SAML設定の代行のお願い", "staff-work-q2@sakura-giken.co.jp",
                                     "Entra ID 側の設定作業を代行していただくことは可能でしょうか。設定代行をお願いできればと考えております。"));
  c = wait_for(servers, seen + 2);
  REQUIRE(c.size() == seen + 2);
  seen += 2;
  std::string second;
  for (const auto& m : c)
    if (m.recipient == kStaff && m.mail.subject.find("SAML") != std::string::npos) second = tag_of(m.mail.subject).substr(2, 9);
  REQUIRE(!second.empty());
  const auto refused = run_madoguchi({"ticket", "refuse", second, "--config", config.string(), "--as", kStaff});
  CHECK(refused.exit_code == 0);
  c = wait_for(servers, ++seen, std::chrono::seconds(5));
  REQUIRE(c.size() == seen);
  CHECK(c.back().recipient == kCustomer);
  CHECK(c.back().mail.text.find("設定代行") != std::string::npos);           // the rule's reason
  CHECK(c.back().mail.text.find("passlogic §4 対象外 5") != std::string::npos);  // and its citation
  const auto again = run_madoguchi({"ticket", "refuse", second, "--config", config.string()});
  CHECK(again.exit_code == 1);  // already closed: refused, not a usage error

  // `ticket show` prints the texts; `ticket attachment` writes the large file by number.
  const auto show = run_madoguchi({"ticket", "show", number, "--config", config.string()});
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("| ログイン時に E1042 が出ます。") != std::string::npos);
  CHECK(show.output.find("from staff " + std::string(kStaff)) != std::string::npos);
  CHECK(show.output.find("attachment 2: 画面.bin") != std::string::npos);
  const auto raw = run_madoguchi({"ticket", "show", number, "--raw", "1", "--config", config.string()});
  CHECK(raw.output.find("Message-ID: <staff-work-q1@sakura-giken.co.jp>") != std::string::npos);
  const fs::path out = dir / "big.bin";
  const auto att = run_madoguchi({"ticket", "attachment", number, "2", "--out", out.string(), "--config", config.string()});
  CHECK(att.exit_code == 0);
  CHECK(fs::file_size(out) == 1536 * 1024 / 3 * 3);
  CHECK(run_madoguchi({"ticket", "attachment", number, "2", "--out", out.string(), "--config", config.string()}).exit_code == 1);
  CHECK(run_madoguchi({"ticket", "attachment", number, "9", "--out", (dir / "x").string(), "--config", config.string()}).exit_code == 1);

  daemon.signal(SIGTERM);
  CHECK(daemon.wait(std::chrono::seconds(10)) == 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

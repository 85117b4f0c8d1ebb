// Bounces end to end against the real Dovecot and SMTP capture server of our kit: a
// customer's mail is acknowledged over SMTP, the remote side's MTA returns a delivery status
// notification (multipart/report as Postfix writes it: MAILER-DAEMON, null return path, the
// machine-readable message/delivery-status part and our message's headers as
// text/rfc822-headers), the DSN is fetched over IMAP and goes through the stages: our outbox
// row becomes `bounced`, no ticket is opened and nothing answers MAILER-DAEMON; after
// smtp.bounce_suppress_after hard bounces, automatic mail to that address is no longer sent
// while a staff member's reply still is.
// Note: acknowledgements leave with the null sender (RFC 3834), and an MTA never returns a DSN
// for null-sender mail (RFC 5321 §4.5.5); the test returns them anyway because the stages do
// not depend on which mail bounced. In production the DSNs that reach us are for staff replies
// (sent with the desk's address), which count towards the same suppression.
#include <doctest/doctest.h>

#include "imap_desk.h"

using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using std::chrono::sys_seconds;

namespace {

constexpr const char* kStaff = kDeskStaff;
constexpr const char* kDesk = "support@passlogic-cloud.example.jp";
constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";  // a demo tenant's admin

// Automatic mail to an address is suppressed after two hard bounces.
struct Desk : ImapDesk {
  Desk() : ImapDesk("", "  bounce_suppress_after: 2\n  bounce_suppress_for: 30d\n") {}
  struct Row {
    std::string kind, recipient, envelope_from, state, last_reply, message_id;
  };
  std::vector<Row> outbox(const std::string& where = "1") {
    std::vector<Row> rows;
    SQLite::Statement q(store.db(),
                        "SELECT kind, recipient, envelope_from, state, COALESCE(last_reply,''), message_id "
                        "FROM outbox WHERE " + where + " ORDER BY id");
    while (q.executeStep())
      rows.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()});
    return rows;
  }
};

std::string question(const std::string& from, const std::string& subject, const std::string& msgid,
                     const std::string& body = "管理画面の操作について教えてください。",
                     const std::string& extra = "") {
  return "From: " + from + "\r\nTo: " + kDesk + "\r\nSubject: " + subject + "\r\nMessage-ID: <" +
         msgid + ">\r\nDate: Fri, 20 Nov 2020 10:59:00 +0900\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
}

// The desk's staff member, authenticated by the desk's MTA.
std::string from_staff(const std::string& subject, const std::string& msgid, const std::string& body,
                       const std::string& extra = "") {
  return question(kStaff, subject, msgid, body, kStaffAuthenticated + extra);
}

// The header block of a mail as the SMTP server received it (what a DSN returns).
std::string header_block(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return raw.substr(0, end + 2);
}

// A hard bounce of `returned` (our mail as received by the SMTP server) for `rcpt`, as
// Postfix writes it (bounce_notify_util.c): the null return path the final delivery adds,
// MAILER-DAEMON, Auto-Submitted, multipart/report with the human-readable notification, the
// message/delivery-status part and the returned message's headers (text/rfc822-headers).
std::string postfix_dsn(const std::string& returned, const std::string& rcpt, const std::string& queue_id) {
  const std::string b = queue_id + ".1605837605/mx.passlogic-cloud.example.jp";
  return "Return-Path: <>\r\n"
         "Delivered-To: " + std::string(kDesk) + "\r\n"
         "Received: by mx.passlogic-cloud.example.jp (Postfix)\r\n"
         "\tid " + queue_id + "; Fri, 20 Nov 2020 11:00:05 +0900 (JST)\r\n"
         "Date: Fri, 20 Nov 2020 11:00:05 +0900 (JST)\r\n"
         "From: MAILER-DAEMON@mx.passlogic-cloud.example.jp (Mail Delivery System)\r\n"
         "Subject: Undelivered Mail Returned to Sender\r\n"
         "To: " + std::string(kDesk) + "\r\n"
         "Auto-Submitted: auto-replied\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status;\r\n"
         "\tboundary=\"" + b + "\"\r\n"
         "Content-Transfer-Encoding: 8bit\r\n"
         "Message-Id: <20201120020005." + queue_id + "@mx.passlogic-cloud.example.jp>\r\n"
         "\r\n"
         "This is a MIME-encapsulated message.\r\n"
         "\r\n"
         "--" + b + "\r\n"
         "Content-Description: Notification\r\n"
         "Content-Type: text/plain; charset=us-ascii\r\n"
         "\r\n"
         "This is the mail system at host mx.passlogic-cloud.example.jp.\r\n"
         "\r\n"
         "I'm sorry to have to inform you that your message could not\r\n"
         "be delivered to one or more recipients. It's attached below.\r\n"
         "\r\n"
         "For further assistance, please send mail to postmaster.\r\n"
         "\r\n"
         "If you do so, please include this problem report. You can\r\n"
         "delete your own text from the attached returned message.\r\n"
         "\r\n"
         "                   The mail system\r\n"
         "\r\n"
         "<" + rcpt + ">: host mx.sakura-giken.co.jp[192.0.2.25] said: 550\r\n"
         "    5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown in\r\n"
         "    local recipient table (in reply to RCPT TO command)\r\n"
         "\r\n"
         "--" + b + "\r\n"
         "Content-Description: Delivery report\r\n"
         "Content-Type: message/delivery-status\r\n"
         "\r\n"
         "Reporting-MTA: dns; mx.passlogic-cloud.example.jp\r\n"
         "X-Postfix-Queue-ID: " + queue_id + "\r\n"
         "X-Postfix-Sender: rfc822; " + std::string(kDesk) + "\r\n"
         "Arrival-Date: Fri, 20 Nov 2020 11:00:04 +0900 (JST)\r\n"
         "\r\n"
         "Final-Recipient: rfc822; " + rcpt + "\r\n"
         "Original-Recipient: rfc822;" + rcpt + "\r\n"
         "Action: failed\r\n"
         "Status: 5.1.1\r\n"
         "Remote-MTA: dns; mx.sakura-giken.co.jp\r\n"
         "Diagnostic-Code: smtp; 550 5.1.1 <" + rcpt + ">: Recipient address\r\n"
         "    rejected: User unknown in local recipient table\r\n"
         "\r\n"
         "--" + b + "\r\n"
         "Content-Description: Undelivered Message Headers\r\n"
         "Content-Type: text/rfc822-headers\r\n"
         "Content-Transfer-Encoding: 8bit\r\n"
         "\r\n"
         "Received: from madoguchi.passlogic-cloud.example.jp (localhost [127.0.0.1])\r\n"
         "\tby mx.passlogic-cloud.example.jp (Postfix) with ESMTP id " + queue_id + "\r\n"
         "\tfor <" + rcpt + ">; Fri, 20 Nov 2020 11:00:04 +0900 (JST)\r\n" +
         header_block(returned) +
         "\r\n"
         "--" + b + "--\r\n";
}

}  // namespace

TEST_CASE("bounce: a Postfix DSN marks the acknowledgement bounced, opens no ticket, answers nobody, and repeated hard bounces suppress automatic mail but not staff replies") {
  Desk desk;
  REQUIRE(desk.d.config.smtp.bounce_suppress_after == 2);

  // 1. A customer's question is acknowledged over SMTP (the null sender: automatic mail).
  auto p = desk.receive(question(kCustomer, "トークン再発行", "q1@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::new_ticket);
  REQUIRE(!p[0].ticket.empty());
  const std::string first_ticket = p[0].ticket;
  auto acks = desk.outbox("kind = 'acknowledgement'");
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].recipient == kCustomer);
  CHECK(acks[0].envelope_from.empty());
  CHECK(acks[0].state == "sent");
  auto to_customer = desk.raw_received_by(kCustomer);
  REQUIRE(to_customer.size() == 1);
  const auto ack1 = madoguchi::parsers::parse_mail(to_customer[0]);
  CHECK(ack1.message_id == acks[0].message_id);

  const long long tickets_before = count(desk.store, "SELECT COUNT(*) FROM tickets");
  const long long outbox_before = count(desk.store, "SELECT COUNT(*) FROM outbox");
  const std::size_t captured_before = desk.servers.captured().size();

  // 2. The customer's server refuses it; the DSN comes back into the support mailbox.
  const std::string dsn1 = postfix_dsn(to_customer[0], kCustomer, "4B1C52A0F3");
  {
    const auto parsed = madoguchi::parsers::parse_mail(dsn1);  // the parser sees what Postfix wrote
    CHECK(parsed.is_delivery_status);
    CHECK(parsed.dsn_original_message_id == acks[0].message_id);
  }
  p = desk.receive(dsn1);
  CAPTURE(p[0].note);
  CHECK(p[0].outcome == "bounce");
  CHECK(p[0].action == MailAction::bounce);
  CHECK(p[0].ticket.empty());
  CHECK(p[0].reply.empty());
  acks = desk.outbox("kind = 'acknowledgement'");
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].state == "bounced");
  CHECK(acks[0].last_reply.find("5.1.1") != std::string::npos);
  // No ticket for the DSN, nothing queued (to MAILER-DAEMON or anyone), nothing sent.
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets") == tickets_before);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM outbox") == outbox_before);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM outbox WHERE lower(recipient) LIKE '%mailer-daemon%'") == 0);
  CHECK(desk.servers.captured().size() == captured_before);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed' AND outcome = 'bounce' "
                          "AND ticket_id IS NULL") == 1);
  CHECK(hard_bounces_since(desk.store, kCustomer, desk.now - std::chrono::hours(1)) == 1);
  // One bounce is below the threshold of two: the next acknowledgement is still sent.
  desk.now += std::chrono::minutes(10);
  p = desk.receive(question(kCustomer, "ログインできない", "q2@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::new_ticket);
  acks = desk.outbox("kind = 'acknowledgement'");
  REQUIRE(acks.size() == 2);
  CHECK(acks[1].state == "sent");
  to_customer = desk.raw_received_by(kCustomer);
  REQUIRE(to_customer.size() == 2);

  // 3. The second acknowledgement bounces too: two hard bounces of this address.
  p = desk.receive(postfix_dsn(to_customer[1], kCustomer, "5C2D63B104"));
  CHECK(p[0].action == MailAction::bounce);
  CHECK(desk.outbox("kind = 'acknowledgement'")[1].state == "bounced");
  CHECK(hard_bounces_since(desk.store, kCustomer, desk.now - std::chrono::hours(1)) == 2);

  // 4. A third question still opens a ticket, but its acknowledgement is not sent.
  desk.now += std::chrono::minutes(10);
  p = desk.receive(question(kCustomer, "証明書の更新", "q3@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::new_ticket);
  const std::string third_ticket = p[0].ticket;
  CHECK(desk.last_round.suppressed == 1);
  acks = desk.outbox("kind = 'acknowledgement'");
  REQUIRE(acks.size() == 3);
  CHECK(acks[2].state == "failed");
  CHECK(acks[2].last_reply.rfind("suppressed", 0) == 0);
  CHECK(desk.raw_received_by(kCustomer).size() == 2);

  // 5. A staff member's reply (a person's mail, with our address as envelope sender) is sent.
  const std::string tag = desk.pipeline.tag_key.tag(third_ticket);
  p = desk.receive(from_staff("Re: " + tag + " 証明書の更新", "r1@passlogic-cloud.example.jp",
                            "佐藤様\r\n\r\n証明書は管理画面の［設定］から更新できます。"));
  CHECK(p[0].action == MailAction::staff_reply);
  const auto replies = desk.outbox("kind = 'staff_reply'");
  REQUIRE(replies.size() == 1);
  CHECK_FALSE(replies[0].envelope_from.empty());  // the desk's address, not the null sender
  CHECK(replies[0].state == "sent");
  CHECK(desk.last_round.suppressed == 0);
  to_customer = desk.raw_received_by(kCustomer);
  REQUIRE(to_customer.size() == 3);
  CHECK(madoguchi::parsers::parse_mail(to_customer[2]).message_id == replies[0].message_id);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM outbox WHERE lower(recipient) LIKE '%mailer-daemon%'") == 0);
  CHECK(load_ticket(desk.store, first_ticket));
}

namespace {

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += abc[(v >> s) & 63];
    if (out.size() % 78 == 76) out += "\r\n";
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < in.size() ? abc[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out + "\r\n";
}

// A DSN from the customer's MTA for our mail: the human-readable part, the machine-readable
// part (`status_type`, written with `status_cte`), and the returned mail or its headers.
std::string report(const std::string& report_type, const std::string& status_type, const std::string& status_cte,
                   const std::string& status_fields, const std::string& returned_type, const std::string& returned) {
  const std::string b = "dsn-boundary-17";
  return "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.sakura-giken.co.jp (Mail Delivery System)\r\n"
         "To: " + std::string(kDesk) + "\r\nSubject: Delivery Status Notification\r\n"
         "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=" + report_type + "; boundary=\"" + b + "\"\r\n"
         "Message-Id: <dsn-" + std::to_string(std::hash<std::string>{}(status_fields + returned)) +
         "@mx.sakura-giken.co.jp>\r\n\r\n"
         "--" + b + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
         "This is the mail system at host mx.sakura-giken.co.jp.\r\n\r\n"
         "--" + b + "\r\nContent-Type: " + status_type + "\r\n" +
         (status_cte.empty() ? std::string() : "Content-Transfer-Encoding: " + status_cte + "\r\n") + "\r\n" +
         (status_cte == "base64" ? base64(status_fields) : status_fields) +
         "\r\n--" + b + "\r\nContent-Type: " + returned_type + "\r\n\r\n" + returned +
         "\r\n--" + b + "--\r\n";
}

}  // namespace

TEST_CASE("bounce: global DSNs, several recipients, and a returned message with Status lines are read from the report part only") {
  Desk desk;
  // Three questions, three acknowledgements to bounce (or not).
  for (int i = 1; i <= 3; ++i) {
    desk.now += std::chrono::minutes(1);
    desk.receive(question(kCustomer, "質問" + std::to_string(i), "dsn-q" + std::to_string(i) + "@sakura-giken.co.jp"));
  }
  const auto sent = desk.raw_received_by(kCustomer);
  REQUIRE(sent.size() == 3);
  auto acks = desk.outbox("kind = 'acknowledgement'");
  REQUIRE(acks.size() == 3);
  const std::string reporting = "Reporting-MTA: dns; mx.sakura-giken.co.jp\r\n\r\n";

  // 1. A delay notice (still being tried) returning the whole mail, whose text the customer
  //    wrote with lines that look like DSN fields: nothing is marked.
  const std::string quoted_fields = header_block(sent[0]) +
                                    "\r\nAction: failed\r\nStatus: 5.0.0 (quoted by the customer)\r\n";
  auto p = desk.receive(report("delivery-status", "message/delivery-status", "",
                               reporting + "Final-Recipient: rfc822; " + kCustomer + "\r\nAction: delayed\r\nStatus: 4.4.7\r\n",
                               "message/rfc822", quoted_fields));
  CAPTURE(p[0].note);
  CHECK(p[0].action == MailAction::bounce);
  CHECK(p[0].note == "delay notice");
  CHECK(desk.outbox("kind = 'acknowledgement'")[0].state == "sent");
  CHECK(hard_bounces_since(desk.store, kCustomer, desk.now - std::chrono::hours(1)) == 0);

  // 2. RFC 6533: message/global-delivery-status in base64 and message/global-headers.
  p = desk.receive(report("global-delivery-status", "message/global-delivery-status", "base64",
                          reporting + "Final-Recipient: utf-8; " + kCustomer + "\r\nAction: failed\r\nStatus: 5.1.1\r\n",
                          "message/global-headers", header_block(sent[1])));
  CAPTURE(p[0].note);
  CHECK(p[0].action == MailAction::bounce);
  acks = desk.outbox("kind = 'acknowledgement'");
  CHECK(acks[1].state == "bounced");
  CHECK(acks[1].last_reply.find("5.1.1") != std::string::npos);
  CHECK(hard_bounces_since(desk.store, kCustomer, desk.now - std::chrono::hours(1)) == 1);

  // 3. Several recipients (the customer's server expanded an alias): one delivered, one
  //    failed. The failure is a hard bounce, with the failed recipient's status.
  p = desk.receive(report("delivery-status", "message/delivery-status", "7bit",
                          reporting + "Final-Recipient: rfc822; it-team@sakura-giken.co.jp\r\n"
                                      "Original-Recipient: rfc822; " + kCustomer + "\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
                                      "Final-Recipient: rfc822; it-old@sakura-giken.co.jp\r\n"
                                      "Original-Recipient: rfc822; " + kCustomer + "\r\nAction: failed\r\nStatus: 5.2.2\r\n",
                          "text/rfc822-headers", header_block(sent[2])));
  CAPTURE(p[0].note);
  acks = desk.outbox("kind = 'acknowledgement'");
  CHECK(acks[2].state == "bounced");
  CHECK(acks[2].last_reply.find("5.2.2") != std::string::npos);
  CHECK(acks[0].state == "sent");  // still
  CHECK(count(desk.store, "SELECT COUNT(*) FROM outbox WHERE lower(recipient) LIKE '%mailer-daemon%'") == 0);
}

// Trust (issue 13), against the real Dovecot and SMTP capture server: each attack that made
// the support address speak a stranger's words or act on a ticket, now refused, and the
// authentic paths still delivered. What the customer would receive is read back from the
// SMTP server by envelope.
#include <doctest/doctest.h>

#include "imap_desk.h"

using namespace madoguchi::daemon;
using namespace madoguchi::testing;

namespace {

constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";
constexpr const char* kDesk = "support@passlogic-cloud.example.jp";

std::string trust_mail(const std::string& from, const std::string& subject, const std::string& msgid,
                 const std::string& body, const std::string& extra = "") {
  return "From: " + from + "\r\nTo: " + kDesk + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgid +
         ">\r\nDate: Fri, 20 Nov 2020 10:59:00 +0900\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
}

std::string texts_to(ImapDesk& desk, const std::string& rcpt) {
  std::string all;
  for (const auto& m : desk.received_by(rcpt)) all += m.subject + "\n" + m.text + "\n";
  return all;
}

long long history_count(ImapDesk& desk, const std::string& number, const std::string& event) {
  return count(desk.store, "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = '" +
                               number + "' AND e.event = '" + event + "'");
}

}  // namespace

TEST_CASE("trust: mail from a staff address without authentication is kept internal, never sent, no command applied") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "ログインできません", "t1@sakura-giken.co.jp", "ログインできません。"));
  const std::string number = p[0].ticket;
  const auto before = desk.received_by(kCustomer).size();
  // A stranger writing as staff, unkeyed tag (staff need no key), asking for card details.
  p = desk.receive(trust_mail(kDeskStaff, "Re: [#" + number + "] ログインできません", "t2@evil.example",
                        "本人確認のため https://evil.example/card にカード番号を入力してください。"));
  CHECK(p[0].action == MailAction::staff_mail_unverified);
  p = desk.receive(trust_mail(kDeskStaff, "Re: [#" + number + "]", "t3@evil.example", "#close resolved\r\n"));
  CHECK(p[0].action == MailAction::staff_mail_unverified);
  // The A-R of another server on top, our MTA's pass below it: forged, not ours.
  p = desk.receive(trust_mail(kDeskStaff, "Re: [#" + number + "]", "t4@evil.example", "#close resolved\r\n",
                        "Authentication-Results: mx.evil.example; none\r\n"
                        "Authentication-Results: mx.passlogic-cloud.example.jp; dmarc=pass header.from=passlogic-cloud.example.jp\r\n"));
  CHECK(p[0].action == MailAction::staff_mail_unverified);
  CHECK(desk.received_by(kCustomer).size() == before);  // nothing reached the customer
  CHECK(texts_to(desk, kCustomer).find("evil.example") == std::string::npos);
  CHECK(desk.status(number) == "open");
  CHECK(load_ticket(desk.store, number)->flagged);
  CHECK(history_count(desk, number, "staff_mail_unverified") == 3);
  CHECK(history_count(desk, number, "staff_reply_sent") == 0);

  // The authentic path: the same reply with our MTA's A-R on top is sent.
  p = desk.receive(trust_mail(kDeskStaff, "Re: [#" + number + "] ログインできません", "t5@passlogic-cloud.example.jp",
                        "パスワードを再設定してください。", kStaffAuthenticated));
  CHECK(p[0].action == MailAction::staff_reply);
  CHECK(desk.last_mail_to(kCustomer).text.find("パスワードを再設定してください") != std::string::npos);
}

TEST_CASE("trust: a staff member's out-of-office reply is never relayed to the customer") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "質問", "o1@sakura-giken.co.jp", "質問です。"));
  const std::string number = p[0].ticket;
  const std::string tag = desk.pipeline.tag_key.tag(number);
  const auto before = desk.received_by(kCustomer).size();
  p = desk.receive(trust_mail(kDeskStaff, "自動応答: " + tag, "o2@passlogic-cloud.example.jp",
                        "不在にしております。携帯 090-0000-0000 までご連絡ください。",
                        std::string(kStaffAuthenticated) + "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"));
  CHECK(p[0].action == MailAction::auto_reply_ignored);
  CHECK(desk.received_by(kCustomer).size() == before);
  CHECK(texts_to(desk, kCustomer).find("090-0000-0000") == std::string::npos);
}

TEST_CASE("trust: a stranger's reply to the customer's Message-ID does not join, reopen or notify as the customer") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "質問", "c1@sakura-giken.co.jp", "質問です。"));
  const std::string number = p[0].ticket;
  CHECK(close_ticket(desk.pipeline, number) == StaffActionResult::Code::done);
  p = desk.receive(trust_mail("stranger@evil.example", "Re: 質問", "c2@evil.example", "追記です。",
                        "In-Reply-To: <c1@sakura-giken.co.jp>\r\nReferences: <c1@sakura-giken.co.jp>\r\n"));
  CHECK(p[0].action == MailAction::new_ticket);
  CHECK(p[0].ticket != number);
  CHECK(desk.status(number) == "closed");  // not reopened
  CHECK(load_ticket(desk.store, p[0].ticket)->parent == load_ticket(desk.store, number)->id);  // linked for staff
  CHECK(history_count(desk, number, "customer_follow_up") == 0);
  // The customer themselves still continues it by the same way.
  p = desk.receive(trust_mail(kCustomer, "Re: 質問", "c3@sakura-giken.co.jp", "再発しました。",
                        "In-Reply-To: <c1@sakura-giken.co.jp>\r\n"));
  CHECK(p[0].action == MailAction::reopened);
  CHECK(p[0].ticket == number);
}

TEST_CASE("trust: with require_authenticated_sender a forged From of the requester never joins its ticket") {
  ImapDesk desk("require_authenticated_sender: true\ntrusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n");
  const std::string auth =
      "Authentication-Results: mx.passlogic-cloud.example.jp; dmarc=pass header.from=sakura-giken.co.jp\r\n";
  auto p = desk.receive(trust_mail(kCustomer, "質問", "r1@sakura-giken.co.jp", "質問です。", auth));
  REQUIRE(p[0].identity == "eligible");
  const std::string number = p[0].ticket;
  // The forged one: the admin's From, an unkeyed tag, no Authentication-Results.
  p = desk.receive(trust_mail(kCustomer, "Re: [#" + number + "] 質問", "r2@evil.example", "追記"));
  CHECK(p[0].identity == "unverified_sender");
  CHECK(p[0].ticket != number);
  // The real requester, authenticated, still joins.
  p = desk.receive(trust_mail(kCustomer, "Re: [#" + number + "] 質問", "r3@sakura-giken.co.jp", "追記", auth));
  CHECK(p[0].action == MailAction::follow_up);
  CHECK(p[0].ticket == number);
}

TEST_CASE("trust: tag checks carry 30 bits, and a sender guessing tags stops getting answers") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "社内の質問", "g0@sakura-giken.co.jp", "質問です。"));
  const std::string victim = p[0].ticket;
  const std::string tag = desk.pipeline.tag_key.tag(victim);
  CHECK(tag.size() == std::string("[#MG-000001-") .size() + 6 + 1);
  // Guesses: each opens a new ticket with the usual acknowledgement (a guess and a wrong
  // number look alike); from the sender's fifth failed check in the hour on, no answer at
  // all, and the tickets are flagged for staff.
  for (int i = 1; i <= 6; ++i)
    desk.receive(trust_mail("guesser@evil.example", "Re: [#" + victim + "-aaaaa" + std::string(1, char('a' + i)) + "] x",
                      "g" + std::to_string(i) + "@evil.example", "x"));
  CHECK(desk.received_by("guesser@evil.example").size() == 4);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets WHERE requester = 'guesser@evil.example' AND flagged = 1") == 2);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = '" +
                              victim + "'") == 1);
}

TEST_CASE("trust: the acknowledgement relays nothing: no link-bearing name, no mail against the envelope, short References") {
  ImapDesk desk;
  // A 15 KB display name carrying a message and a URL: the greeting falls back to the address.
  std::string name = "今すぐ http://evil.example/login で再認証してください";
  while (name.size() < 15000) name += " 今すぐ再認証";
  auto p = desk.receive(trust_mail("\"" + name + "\" <" + kCustomer + ">", "質問", "n1@sakura-giken.co.jp", "質問です。"));
  const auto ack = desk.last_mail_to(kCustomer);
  CHECK(ack.text.find("evil.example") == std::string::npos);
  CHECK(ack.text.find("再認証") == std::string::npos);
  // An unregistered From whose domain the envelope (Return-Path) does not back: no automatic mail.
  p = desk.receive("Return-Path: <bulk@sender.example>\r\n" +
                   trust_mail("victim@elsewhere.example", "質問", "e1@sender.example", "質問です。"));
  CHECK(p[0].note == "envelope_mismatch");
  CHECK(desk.received_by("victim@elsewhere.example").empty());
  // 500 References: ours keep the first and the last ten.
  std::string refs = "References:";
  for (int i = 0; i < 500; ++i) refs += " <ref" + std::to_string(i) + "@sakura-giken.co.jp>";
  p = desk.receive(trust_mail("sales@sakura-giken.co.jp", "別件", "m500@sakura-giken.co.jp", "質問です。", refs + "\r\n"));
  const auto reply = desk.last_mail_to("sales@sakura-giken.co.jp");
  CHECK(reply.references.size() == 11);
  CHECK(reply.references.front() == "ref0@sakura-giken.co.jp");
  CHECK(reply.references.back() == "m500@sakura-giken.co.jp");
}

TEST_CASE("trust: a reply to the keyed address of a staff notice speaks as staff for that ticket, without Authentication-Results") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "ログインできません", "k1@sakura-giken.co.jp", "ログインできません。"));
  const std::string number = p[0].ticket;
  p = desk.receive(trust_mail(kCustomer, "別の質問", "k2@sakura-giken.co.jp", "別件です。"));
  const std::string other = p[0].ticket;
  // The staff notice of the first ticket carries the keyed Reply-To; the customer's
  // acknowledgement carries the plain desk address, so the key never reaches a customer.
  std::string keyed;
  for (const auto& m : desk.received_by(kDeskStaff))
    if (m.subject.find(number) != std::string::npos && !m.reply_to.empty()) keyed = m.reply_to.front().address;
  const std::string desk_address = desk.pipeline.policy().desk("passlogic-cloud")->addresses.front();
  const std::string local = desk_address.substr(0, desk_address.find('@'));
  REQUIRE(keyed.starts_with(local + "+mg-"));
  CHECK(keyed.ends_with(desk_address.substr(desk_address.find('@'))));
  for (const auto& m : desk.received_by(kCustomer)) {
    REQUIRE(m.reply_to.size() == 1);
    CHECK(m.reply_to.front().address == desk_address);
  }
  auto to_keyed = [](std::string raw, const std::string& rcpt) {
    raw.replace(raw.find(std::string("To: ") + kDesk), 4 + std::string(kDesk).size(), "To: " + rcpt);
    return raw;
  };
  const auto before = desk.received_by(kCustomer).size();
  // The staff member's reply to it, with no A-R at all: sent to the customer. Its subject
  // names the other ticket: the key, which names this one, decides.
  p = desk.receive(to_keyed(trust_mail(kDeskStaff, "Re: [#" + other + "] 新規チケット", "k3@passlogic-cloud.example.jp",
                                       "パスワードを再設定してください。"),
                            keyed));
  CHECK(p[0].action == MailAction::staff_reply);
  CHECK(p[0].ticket == number);
  CHECK(desk.received_by(kCustomer).size() == before + 1);
  CHECK(desk.last_mail_to(kCustomer).text.find("パスワードを再設定してください") != std::string::npos);
  CHECK(desk.last_mail_to(kCustomer).subject.find(number) != std::string::npos);
  // The same key on the other ticket's number, or one character changed: unverified, kept
  // internal, nothing sent.
  std::string moved = keyed;
  moved.replace(moved.find(number.substr(3)), 6, other.substr(3));
  std::string altered = keyed;
  altered[altered.find('@') - 1] = altered[altered.find('@') - 1] == 'a' ? 'b' : 'a';
  int n = 0;
  for (const auto& rcpt : {moved, altered}) {
    CAPTURE(rcpt);
    ++n;
    p = desk.receive(to_keyed(trust_mail(kDeskStaff, "Re: [#" + other + "] 別の質問", "k4-" + std::to_string(n) + "@evil.example",
                                         "#close resolved\r\n"),
                              rcpt));
    CHECK(p[0].action == MailAction::staff_mail_unverified);
  }
  CHECK(desk.status(other) == "open");
  CHECK(desk.received_by(kCustomer).size() == before + 1);
  // An out-of-office sent back to the keyed address is still never relayed.
  p = desk.receive(to_keyed(trust_mail(kDeskStaff, "自動応答: Re: [#" + number + "]", "k5@passlogic-cloud.example.jp",
                                       "不在です。", "Auto-Submitted: auto-replied\r\n"),
                            keyed));
  CHECK(p[0].action == MailAction::auto_reply_ignored);
  CHECK(desk.received_by(kCustomer).size() == before + 1);
}

TEST_CASE("trust: a staff notice that comes back into intake is never a customer reply and opens nothing") {
  ImapDesk desk;
  auto p = desk.receive(trust_mail(kCustomer, "質問", "b1@sakura-giken.co.jp", "質問です。"));
  const std::string number = p[0].ticket;
  // A forward rule on the staff mailbox sends the notice back to the support address.
  const auto notices = desk.raw_received_by(kDeskStaff);
  REQUIRE(!notices.empty());
  const auto before_tickets = count(desk.store, "SELECT COUNT(*) FROM tickets");
  const auto before_mail = desk.raw_received_by(kCustomer).size();
  p = desk.receive(notices.back());
  CHECK(p[0].action == MailAction::auto_reply_ignored);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets") == before_tickets);
  CHECK(history_count(desk, number, "customer_follow_up") == 0);
  CHECK(desk.raw_received_by(kCustomer).size() == before_mail);
}

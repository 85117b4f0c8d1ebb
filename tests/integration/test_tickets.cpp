// Tickets through the stage runner against the real Dovecot and SMTP capture server of the
// our kit, with an injected clock (mail is APPENDed with that clock's INTERNALDATE, the
// outbox is delivered over SMTP at that time): the business-hours queue and its staff digest,
// threading by verified tag and by References, a forged tag from a stranger, staff replies
// and commands by e-mail, reopening within and after the desk's window, auto-close.
#include <doctest/doctest.h>

#include "imap_desk.h"

using namespace madoguchi::daemon;
using namespace madoguchi::testing;
using std::chrono::sys_seconds;

namespace {

constexpr const char* kStaff = kDeskStaff;

// The ticket scenarios expect every mail to leave at once.
struct Desk : ImapDesk {
  using ImapDesk::ImapDesk;
  std::vector<ProcessedMail> receive(const std::string& raw) {
    auto processed = ImapDesk::receive(raw);
    CHECK(last_round.deferred == 0);
    CHECK(last_round.failed == 0);
    return processed;
  }
  // Outbox rows (kind, recipient, template) queued so far, oldest first.
  std::vector<std::tuple<std::string, std::string, std::string>> outbox() {
    std::vector<std::tuple<std::string, std::string, std::string>> rows;
    SQLite::Statement q(store.db(), "SELECT kind, recipient, COALESCE(template,'') FROM outbox ORDER BY id");
    while (q.executeStep())
      rows.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString());
    return rows;
  }
};

std::string question(const std::string& from, const std::string& subject, const std::string& msgid,
                     const std::string& body = "管理画面の操作について教えてください。",
                     const std::string& extra = "") {
  return "From: " + from + "\r\nTo: support@passlogic-cloud.example.jp\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + msgid + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
}

// The desk's staff member, authenticated by the desk's MTA.
std::string from_staff(const std::string& subject, const std::string& msgid, const std::string& body,
                       const std::string& extra = "") {
  return question(kStaff, subject, msgid, body, kStaffAuthenticated + extra);
}

}  // namespace

TEST_CASE("tickets: a question outside hours is queued, acknowledged at once, released at opening with one digest") {
  Desk desk;
  desk.now = at(2020, 11, 21, 22);  // Saturday 22:00 JST; Monday 11/23 is a national holiday
  // layerx-saas accepts only in business hours (intake: business_hours).
  const std::string lx = desk.d.runtime.policy->desk("layerx-saas")->addresses.front();
  auto p = desk.receive(
      "From: joho@minato-shoji.co.jp\r\nTo: " + lx + "\r\n"
      "Subject: =?UTF-8?B?5L+d5a6ISUQ6IExYLTIwMjUtMDA0Mg==?=\r\nMessage-ID: <q@minato-shoji.co.jp>\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n\r\n保守ID: LX-2025-0042\r\n管理コンソールについて\r\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0].desk == "layerx-saas");
  CHECK(p[0].reply == "ack_queued");
  const std::string number = p[0].ticket;
  CHECK(desk.status(number) == "queued");
  const auto ack = desk.last_mail_to("joho@minato-shoji.co.jp");
  CHECK(ack.text.find("11月24日(火) 09:00") != std::string::npos);  // the next opening
  CHECK(ack.auto_submitted == "auto-replied");
  {
    // The tenant asks for ISO-2022-JP (config/demo/tenants.yaml): the mail arrives as 7-bit JIS.
    const auto raws = desk.raw_received_by("joho@minato-shoji.co.jp");
    REQUIRE(raws.size() == 1);
    CHECK(raws[0].find("charset=ISO-2022-JP") != std::string::npos);
    CHECK(raws[0].find("\x1b$B") != std::string::npos);
  }

  // Sunday and the holiday pass: nothing is released.
  desk.now = at(2020, 11, 23, 12);
  CHECK(release_queued(desk.pipeline) == 0);
  // A second queued question on Monday night.
  desk.now = at(2020, 11, 23, 20);
  desk.receive(
      "From: joho@minato-shoji.co.jp\r\nTo: " + lx + "\r\n"
      "Subject: two\r\nMessage-ID: <q2@minato-shoji.co.jp>\r\n\r\n保守ID: LX-2025-0042\r\n別件です\r\n");
  // Tuesday 09:00: both are released, the staff get one digest.
  desk.now = at(2020, 11, 24, 9);
  CHECK(release_queued(desk.pipeline) == 2);
  CHECK(desk.status(number) == "open");
  int digests = 0;
  for (const auto& [kind, to, tmpl] : desk.outbox()) digests += to == kStaff && tmpl == "staff_digest";
  CHECK(digests == 1);
  const auto digest = desk.last_mail_to(kStaff);
  CHECK(digest.text.find(number) != std::string::npos);
  // Each entry shows the start of the customer's text (issue 15): staff sort the queue from it.
  CHECK(digest.text.find("    管理コンソールについて") != std::string::npos);
  CHECK(digest.text.find("    別件です") != std::string::npos);
  CHECK(release_queued(desk.pipeline) == 0);
}

TEST_CASE("tickets: follow-ups join by verified tag and by References, only from a sender trusted for the ticket") {
  Desk desk;
  auto p = desk.receive(question("it-admin@sakura-giken.co.jp", "最初の質問", "a1@sakura-giken.co.jp"));
  const std::string number = p[0].ticket;
  const auto ack = desk.last_mail_to("it-admin@sakura-giken.co.jp");
  const auto tag = desk.pipeline.tag_key.tag(number);
  CHECK(ack.subject.find(tag) != std::string::npos);

  // A verified tag from another address of the tenant (a colleague who is not an admin): a
  // new ticket that links the one it pointed at, for staff to merge.
  p = desk.receive(question("colleague@sakura-giken.co.jp", "Re: " + tag + " 最初の質問", "a2@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::new_ticket);
  CHECK(p[0].ticket != number);
  CHECK(load_ticket(desk.store, p[0].ticket)->parent == load_ticket(desk.store, number)->id);
  // By References to our acknowledgement, no tag in the subject.
  p = desk.receive(question("it-admin@sakura-giken.co.jp", "追加の質問", "a3@sakura-giken.co.jp", "追加です",
                            "In-Reply-To: <" + ack.message_id + ">\r\nReferences: <" + ack.message_id + ">\r\n"));
  CHECK(p[0].action == MailAction::follow_up);
  CHECK(p[0].ticket == number);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets") == 2);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM messages WHERE ticket_id = " + std::to_string(load_ticket(desk.store, number)->id)) == 2);
}

TEST_CASE("tickets: a forged or guessed tag from a stranger opens a new ticket") {
  Desk desk;
  auto p = desk.receive(question("it-admin@sakura-giken.co.jp", "社内の質問", "f1@sakura-giken.co.jp"));
  const std::string victim = p[0].ticket;
  // Without the check, and with a wrong check.
  p = desk.receive(question("attacker@evil.example", "Re: [#" + victim + "] 追加", "f2@evil.example"));
  CHECK(p[0].action == MailAction::new_ticket);
  CHECK(p[0].ticket != victim);
  p = desk.receive(question("attacker@evil.example", "Re: [#" + victim + "-zzzzzz] 追加", "f3@evil.example"));
  CHECK(p[0].action == MailAction::new_ticket);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = '" +
                              victim + "'") == 1);
  // The requester may drop the check (some clients rewrite subjects).
  p = desk.receive(question("it-admin@sakura-giken.co.jp", "Re: [#" + victim + "] 追加", "f4@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::follow_up);
  CHECK(p[0].ticket == victim);
}

TEST_CASE("tickets: a staff reply by e-mail reaches the customer in the reply template without notes or quotes") {
  Desk desk;
  // The customer's display name (佐藤 一郎, RFC 2047) is how every later mail greets them.
  auto p = desk.receive(question("=?UTF-8?B?5L2Q6JekIOS4gOmDjg==?= <it-admin@sakura-giken.co.jp>",
                                 "トークン再発行", "s1@sakura-giken.co.jp"));
  const std::string number = p[0].ticket;
  const std::string tag = desk.pipeline.tag_key.tag(number);
  // An internal note first: nothing is sent to the customer.
  const auto before = desk.received_by("it-admin@sakura-giken.co.jp").size();
  p = desk.receive(from_staff("Re: " + tag + " トークン再発行", "n1@passlogic-cloud.example.jp",
                            "#note 顧客は旧版を利用中。社内チケット INT-7 参照。"));
  CHECK(p[0].action == MailAction::staff_note);
  CHECK(desk.received_by("it-admin@sakura-giken.co.jp").size() == before);
  // The reply, quoting the customer's mail and an internal remark below the attribution.
  p = desk.receive(from_staff("Re: " + tag + " トークン再発行", "r1@passlogic-cloud.example.jp",
                            "佐藤様\r\n\r\n管理画面の［ユーザー管理］から再発行できます。\r\n\r\n"
                            "2026/11/20 11:00 it-admin@sakura-giken.co.jp wrote:\r\n> 再発行の手順は？\r\n"
                            "> 社内メモ: 旧版\r\n"));
  CHECK(p[0].action == MailAction::staff_reply);
  const auto reply = desk.last_mail_to("it-admin@sakura-giken.co.jp");
  CHECK(reply.text.find("［ユーザー管理］から再発行できます") != std::string::npos);
  CHECK(reply.text.find("社内") == std::string::npos);
  CHECK(reply.text.find("再発行の手順は") == std::string::npos);
  CHECK(reply.subject.find(tag) != std::string::npos);
  CHECK(reply.in_reply_to == "s1@sakura-giken.co.jp");
  CHECK(reply.text.find("佐藤 一郎 様") != std::string::npos);
  CHECK(reply.text.find("it-admin@sakura-giken.co.jp 様") == std::string::npos);
  CHECK(reply.auto_submitted.empty());  // a person's reply, not an automatic one
  CHECK(desk.status(number) == "waiting_customer");
}

TEST_CASE("tickets: closing by staff command sends the closing notice") {
  Desk desk;
  auto p = desk.receive(question("=?UTF-8?B?5L2Q6JekIOS4gOmDjg==?= <it-admin@sakura-giken.co.jp>",
                                 "仕様の確認", "c1@sakura-giken.co.jp"));
  const std::string number = p[0].ticket;
  const std::string tag = desk.pipeline.tag_key.tag(number);
  const auto before = desk.received_by("it-admin@sakura-giken.co.jp").size();
  // The command, then staff's own remark: the remark is an internal note, never sent.
  p = desk.receive(from_staff("Re: " + tag, "c2@passlogic-cloud.example.jp",
                              "#close answered_spec\r\n\r\nお客様よりクローズ了承済み。\r\n"));
  CHECK(p[0].action == MailAction::staff_command);
  CHECK(desk.status(number) == "closed");
  CHECK(desk.received_by("it-admin@sakura-giken.co.jp").size() == before + 1);  // the closing notice only
  for (const auto& m : desk.received_by("it-admin@sakura-giken.co.jp"))
    CHECK(m.text.find("クローズ了承済み") == std::string::npos);
  CHECK(count(desk.store, "SELECT COUNT(*) FROM ticket_events WHERE event = 'note' AND detail LIKE '%了承済み%'") == 1);
  const auto notice = desk.last_mail_to("it-admin@sakura-giken.co.jp");
  CHECK(notice.text.find("仕様についてご回答いたしました") != std::string::npos);
  CHECK(notice.text.find("佐藤 一郎 様") != std::string::npos);
  // A bad command changes nothing.
  auto q = desk.receive(question("it-admin@sakura-giken.co.jp", "別件", "c3@sakura-giken.co.jp"));
  const std::string other = q[0].ticket;
  q = desk.receive(from_staff("Re: " + desk.pipeline.tag_key.tag(other), "c4@passlogic-cloud.example.jp",
                            "#close finished\r\n"));
  CHECK(desk.status(other) == "open");
}

TEST_CASE("tickets: a reply to a closed ticket reopens it within the window, later opens a linked ticket") {
  Desk desk;  // passlogic-cloud's reopen window comes from its desk file
  const auto window = desk.d.runtime.policy->desk("passlogic-cloud")->reopen_window;
  auto p = desk.receive(question("it-admin@sakura-giken.co.jp", "質問", "w1@sakura-giken.co.jp"));
  const std::string number = p[0].ticket;
  const std::string tag = desk.pipeline.tag_key.tag(number);
  CHECK(close_ticket(desk.pipeline, number) == StaffActionResult::Code::done);
  desk.now += window - std::chrono::hours(1);
  p = desk.receive(question("it-admin@sakura-giken.co.jp", "Re: " + tag + " 再発しました", "w2@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::reopened);
  CHECK(desk.status(number) == "open");
  CHECK(close_ticket(desk.pipeline, number) == StaffActionResult::Code::done);
  desk.now += window + std::chrono::hours(1);
  p = desk.receive(question("it-admin@sakura-giken.co.jp", "Re: " + tag + " また再発", "w3@sakura-giken.co.jp"));
  CHECK(p[0].action == MailAction::new_ticket);
  CHECK(p[0].ticket != number);
  CHECK(desk.status(number) == "closed");
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets WHERE parent_id = (SELECT id FROM tickets WHERE number = '" +
                              number + "')") == 1);
}

TEST_CASE("tickets: past the first-response due time without a staff reply is logged once, a reply clears it") {
  Desk desk;  // passlogic-cloud: first response within 1 business day
  auto p = desk.receive(question("it-admin@sakura-giken.co.jp", "未回答の質問", "o1@sakura-giken.co.jp"));
  const std::string silent = p[0].ticket;
  p = desk.receive(question("it-admin@sakura-giken.co.jp", "回答済みの質問", "o2@sakura-giken.co.jp"));
  const std::string answered = p[0].ticket;
  desk.receive(from_staff("Re: " + desk.pipeline.tag_key.tag(answered), "o3@passlogic-cloud.example.jp",
                        "ご確認ください。\r\n"));
  CHECK(report_overdue(desk.pipeline) == 0);
  // Friday 11:00 + 1 business day = Tuesday 11:00 (Monday 11/23 is a holiday).
  desk.now = at(2020, 11, 24, 10, 59);
  CHECK(report_overdue(desk.pipeline) == 0);
  desk.now = at(2020, 11, 24, 11, 1);
  CHECK(report_overdue(desk.pipeline) == 1);
  CHECK(report_overdue(desk.pipeline) == 0);  // once
  CHECK(count(desk.store, "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                          "WHERE e.event = 'first_response_overdue' AND t.number = '" + silent + "'") == 1);
  CHECK(count(desk.store, std::string("SELECT COUNT(*) FROM tickets WHERE ") +
                              "number = '" + answered + "' AND first_responded_at IS NOT NULL") == 1);
}

TEST_CASE("tickets: silent in waiting_customer, a warning after N business days, closed as agreed M days later") {
  Desk desk("auto_close: {warn_after: 3d, close_after: 2d}\n");
  const std::string customer = "it-admin@sakura-giken.co.jp";
  auto p = desk.receive(question("=?UTF-8?B?5L2Q6JekIOS4gOmDjg==?= <" + customer + ">", "設定の確認",
                                 "ac1@sakura-giken.co.jp"));
  const std::string quiet = p[0].ticket;
  p = desk.receive(question(customer, "別の確認", "ac2@sakura-giken.co.jp"));
  const std::string answers = p[0].ticket;
  for (const auto& number : {quiet, answers})
    desk.receive(from_staff("Re: " + desk.pipeline.tag_key.tag(number), "r-" + number + "@passlogic-cloud.example.jp",
                          "手順をお送りします。\r\n"));
  CHECK(desk.status(quiet) == "waiting_customer");
  const auto before = desk.received_by(customer).size();
  // Friday 11:00 + 3 business days (Monday the 23rd is a holiday) = Thursday the 26th 11:00.
  desk.now = at(2020, 11, 26, 10);
  CHECK(auto_close(desk.pipeline) == 0);
  desk.now = at(2020, 11, 26, 11, 30);
  CHECK(auto_close(desk.pipeline) == 2);
  auto mails = desk.received_by(customer);
  REQUIRE(mails.size() == before + 2);
  CHECK(mails[before].text.find("佐藤 一郎 様") != std::string::npos);
  CHECK(mails[before].text.find("までにご返信がない場合") != std::string::npos);
  CHECK(mails[before].auto_submitted == "auto-generated");
  CHECK(auto_close(desk.pipeline) == 0);  // warned once
  // One customer answers; the other stays silent.
  desk.now = at(2020, 11, 27, 10);
  p = desk.receive(question(customer, "Re: " + desk.pipeline.tag_key.tag(answers) + " 別の確認",
                            "ac3@sakura-giken.co.jp", "まだ解決していません。"));
  CHECK(desk.status(answers) == "open");
  // Warned Thursday 11:30 + 2 business days = Monday the 30th 11:30.
  desk.now = at(2020, 11, 30, 11);
  CHECK(auto_close(desk.pipeline) == 0);
  desk.now = at(2020, 11, 30, 12);
  CHECK(auto_close(desk.pipeline) == 1);
  CHECK(desk.status(quiet) == "closed");
  CHECK(desk.status(answers) == "open");
  CHECK(count(desk.store, "SELECT COUNT(*) FROM tickets WHERE number = '" + quiet + "' AND close_reason = 'agreed'") == 1);
  const auto notice = desk.last_mail_to(customer);
  CHECK(notice.subject.find(desk.pipeline.tag_key.tag(quiet)) != std::string::npos);
  CHECK(notice.text.find("佐藤 一郎 様") != std::string::npos);
}

TEST_CASE("store: a store created before the newer ticket columns gets them on open and keeps its rows") {
  TempDir dir;
  {
    SQLite::Database old((dir.path / "madoguchi.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    old.exec("CREATE TABLE tickets (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, desk TEXT NOT NULL, "
             "tenant TEXT, requester TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, "
             "category TEXT, outcome TEXT, rule TEXT, reason TEXT, flagged INTEGER NOT NULL DEFAULT 0, "
             "received_at INTEGER NOT NULL, accepted_at INTEGER NOT NULL, first_response_due INTEGER, "
             "closed_at INTEGER, close_reason TEXT, created_at INTEGER NOT NULL, status_since INTEGER)");
    old.exec("INSERT INTO tickets (number, desk, requester, subject, status, received_at, accepted_at, created_at) "
             "VALUES ('MG-000001', 'passlogic-cloud', 'a@example.jp', '件名', 'open', 1, 1, 1)");
  }
  Store store(dir.path);
  const auto t = load_ticket(store, std::string("MG-000001"));
  REQUIRE(t);
  CHECK(t->subject == "件名");
  CHECK(t->customer_name() == "a@example.jp");  // no display name stored: the address
  for (const char* column : {"parent_id", "auto_close_warned_at", "requester_name"}) {
    SQLite::Statement q(store.db(), "SELECT 1 FROM pragma_table_info('tickets') WHERE name = ?");
    q.bind(1, column);
    CHECK_MESSAGE(q.executeStep(), column);
  }
}

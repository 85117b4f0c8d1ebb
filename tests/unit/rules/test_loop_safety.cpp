// Loop safety (SPEC.md §4, RFC 3834): always on, and no rule can switch it off.
#include <doctest/doctest.h>

#include "rules/loop_safety.h"

#include <functional>
#include "rules_fixture.h"

using namespace madoguchi::rules;
using rules_test::at;
using rules_test::mail;
using rules_test::MailSpec;

namespace {

// A desk whose only rule tries to answer everything in scope, whatever the headers say.
std::shared_ptr<const Policy> policy() {
  ConfigErrors errors;
  auto p = Policy::from_text(
      {{"desk.yaml", R"(name: テスト窓口
addresses: [support@desk.example.jp]
eligibility: tenant_admin
intake: always
hours: {days: [mon, tue, wed, thu, fri], open: "09:00", close: "17:00", time_zone: Asia/Tokyo}
hours_text: 平日 9:00〜17:00
rules:
  - id: ANSWER_EVERYTHING
    description: a rule that would answer every mail
    cite: test
    senders: all
    when: {not: {desk: nothing}}
    outcome: out_of_scope
    action: reply
    reason: test
    reason_ja: テスト
)"}},
      "tenants:\n  - {id: t, company: T社, domains: [customer.example.jp], admins: [admin@customer.example.jp], "
      "contracts: [{id: T-1, kind: contract_id, desks: [desk], valid_from: 2025-01-01, valid_until: 2030-12-31}]}\n",
      errors);
  for (const auto& e : errors) MESSAGE(e.to_string());
  REQUIRE(p);
  return p;
}

Decision decide(const MailSpec& s, const std::function<void(madoguchi::parsers::ParsedMail&)>& edit = {}) {
  static const auto p = policy();
  auto m = mail(s);
  if (edit) edit(m);
  return p->decide(m, *p->desk("desk"), at("2026-11-24T10:00:00+09:00"));
}

MailSpec spec(std::vector<std::pair<std::string, std::string>> headers) {
  return {.from = "admin@customer.example.jp", .to = "support@desk.example.jp", .subject = "質問",
          .body = "管理画面について", .headers = std::move(headers)};
}

}  // namespace

TEST_CASE("loop safety: an ordinary mail is answered") {
  auto d = decide(spec({}));
  CHECK(d.auto_reply);
  CHECK(d.template_name == "out_of_scope");
  CHECK_FALSE(d.loop_reason.has_value());
  // Auto-Submitted: no is an ordinary mail (RFC 3834)
  CHECK(decide(spec({{"Auto-Submitted", "no"}})).auto_reply);
}

TEST_CASE("loop safety: Auto-Submitted other than no") {
  auto replied = decide(spec({{"Auto-Submitted", "auto-replied"}}));
  CHECK(replied.outcome == Outcome::auto_reply_received);
  CHECK(replied.rule == "builtin:auto_reply");
  CHECK_FALSE(replied.auto_reply);
  CHECK(replied.template_name.empty());
  auto generated = decide(spec({{"Auto-Submitted", "auto-generated"}}));
  CHECK_FALSE(generated.auto_reply);
  CHECK(generated.loop_reason == "auto_submitted");
  CHECK(generated.template_name.empty());
}

TEST_CASE("loop safety: out-of-office markers without Auto-Submitted") {
  CHECK(decide(spec({{"X-Autoreply", "yes"}})).outcome == Outcome::auto_reply_received);
  // asks for no automatic answer: suppressed, but the mail itself is still a question
  auto suppress = decide(spec({{"X-Auto-Response-Suppress", "All"}}));
  CHECK(suppress.outcome == Outcome::out_of_scope);
  CHECK_FALSE(suppress.auto_reply);
  CHECK(suppress.loop_reason == "auto_response_suppress");
}

TEST_CASE("loop safety: Precedence bulk, junk, list") {
  for (const char* p : {"bulk", "junk", "list", "Bulk"}) {
    auto d = decide(spec({{"Precedence", p}}));
    CHECK_MESSAGE(!d.auto_reply, p);
    CHECK(d.loop_reason == "precedence");
  }
  CHECK(decide(spec({{"Precedence", "first-class"}})).auto_reply);
}

TEST_CASE("loop safety: List-Id") {
  auto d = decide(spec({{"List-Id", "<users.ml.example.jp>"}}));
  CHECK_FALSE(d.auto_reply);
  CHECK(d.loop_reason == "list_id");
  // the mail still gets its outcome (a ticket), only the automatic reply is suppressed
  CHECK(d.outcome == Outcome::out_of_scope);
}

TEST_CASE("loop safety: null return path") {
  auto d = decide(spec({{"Return-Path", "<>"}}));
  CHECK_FALSE(d.auto_reply);
  CHECK(d.loop_reason == "null_return_path");
}

TEST_CASE("loop safety: MAILER-DAEMON and postmaster") {
  auto d = decide(spec({{"Return-Path", "<MAILER-DAEMON@mx.customer.example.jp>"}}));
  CHECK_FALSE(d.auto_reply);
  CHECK(d.loop_reason == "mailer_daemon");
  auto pm = decide({.from = "postmaster@customer.example.jp", .subject = "お知らせ", .body = "x"});
  CHECK_FALSE(pm.auto_reply);
  CHECK(pm.loop_reason == "mailer_daemon");
}

TEST_CASE("loop safety: a DSN is a bounce, never answered") {
  auto dsn = decide(spec({}), [](madoguchi::parsers::ParsedMail& m) {
    m.is_delivery_status = true;
    m.dsn_original_message_id = "ack-1@desk.example.jp";
  });
  CHECK(dsn.outcome == Outcome::bounce);
  CHECK(dsn.rule == "builtin:dsn");
  CHECK_FALSE(dsn.auto_reply);
  CHECK(dsn.loop_reason == "dsn");
  // a classic bounce without multipart/report
  auto classic = decide({.from = "MAILER-DAEMON@mx.customer.example.jp", .subject = "Undelivered Mail Returned to Sender",
                         .body = "This is the mail system"});
  CHECK(classic.outcome == Outcome::bounce);
  CHECK_FALSE(classic.auto_reply);
}

TEST_CASE("loop safety: our own Message-ID domain come back") {
  auto d = decide(spec({{"Message-ID", "mg-123@desk.example.jp"}}));
  CHECK_FALSE(d.auto_reply);
  CHECK(d.loop_reason == "own_message_id");
}

TEST_CASE("loop safety helpers agree with decide") {
  auto m = mail(spec({{"Auto-Submitted", "auto-replied; by=vacation"}}));
  CHECK(is_auto_reply(m));
  CHECK_FALSE(is_bounce(m));
  CHECK(loop_reason(m, {}) == "auto_submitted");
  CHECK_FALSE(loop_reason(mail(spec({})), {"desk.example.jp"}).has_value());
}

// Desk files: strict schema (unknown keys, duplicates, wrong types) with file:line:column,
// rule records, the outcomes the rule language accepts, and templates per outcome.
#include <doctest/doctest.h>

#include "rules/desk_loader.h"
#include "rules_fixture.h"

#include <algorithm>

using namespace madoguchi::rules;
using rules_test::at;
using rules_test::mail;

namespace {

const std::string base = R"(name: テスト窓口
addresses: [support@desk.example.jp]
eligibility: tenant_admin
intake: always
hours: {days: [mon, tue, wed, thu, fri], open: "09:00", close: "17:00", time_zone: Asia/Tokyo}
hours_text: 平日 9:00〜17:00
)";

std::vector<std::string> errors_of(const std::string& yaml, const std::string& file = "desk.yaml") {
  ConfigErrors errors;
  auto p = Policy::from_text({{file, yaml}}, "", errors);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.to_string());
  if (errors.empty()) CHECK(p);
  return out;
}

bool has(const std::vector<std::string>& errors, std::string_view needle) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("desk: a minimal desk loads with defaults") {
  CHECK(errors_of(base).empty());
  ConfigErrors errors;
  auto p = Policy::from_text({{"desk.yaml", base}}, "", errors);
  REQUIRE(p);
  const Desk& d = *p->desk("desk");
  CHECK(d.first_response_business_days == 1);
  CHECK(d.templates.at("ack_received") == "ack_received");
  CHECK(d.templates.size() == template_kinds().size());
  CHECK(d.message_id_domains == std::vector<std::string>{"desk.example.jp"});
}

TEST_CASE("desk: unknown keys, duplicate keys and wrong types are errors with positions") {
  auto e = errors_of(base + "incidnets: true\nintake: always\nfirst_response: soon\nincidents: maybe\n");
  CHECK(has(e, "desk.yaml:7:1: unknown key 'incidnets'"));
  CHECK(has(e, "desk.yaml:8:1: duplicate key 'intake'"));
  CHECK(has(e, "desk.yaml:9:17: 'first_response' must be business days"));
  CHECK(has(e, "desk.yaml:10:12: 'incidents' must be true or false"));
  CHECK(has(errors_of("name: [a, b]\n"), "'name' must be a string"));
  CHECK(has(errors_of(base + "eligibility: everyone\n"), "duplicate key 'eligibility'"));
  CHECK(has(errors_of("id: other\n" + base), "desk.yaml:1:5: desk id 'other' must equal the file name 'desk'"));
}

TEST_CASE("desk: hours are the calendar's schema, checked by parse_calendar_spec") {
  auto e = errors_of("name: x\naddresses: [a@b.jp]\neligibility: tenant_admin\nintake: always\nhours_text: x\n"
                     "hours: {days: [mon], open: \"18:00\", close: \"09:00\", time_zone: Asia/Tokyo, colour: red}\n");
  CHECK_FALSE(e.empty());
  CHECK(has(e, "unknown key 'colour'"));
}

TEST_CASE("desk: rules need id, description, cite, when and a valid outcome") {
  auto e = errors_of(base + R"(rules:
  - id: R1
    description: d
    cite: c
    when: {text: {any: [a]}}
    outcome: out_of_scope
    reason: r
  - id: R1
    when: {text: {any: [a]}}
    outcome: maybe
  - id: R3
    description: d
    cite: c
    when: {text: {any: [a]}}
    outcome: follow_up
  - id: R4
    description: d
    cite: c
    when: {text: {any: [a]}}
    outcome: redirect
    action: reply
)");
  CHECK(has(e, "desk.yaml:8:5: an out_of_scope rule needs 'reason' and 'reason_ja'"));
  CHECK(has(e, "desk.yaml:14:9: rule id 'R1' is used twice"));
  CHECK(has(e, "missing required key 'description'"));
  CHECK(has(e, "missing required key 'cite'"));
  CHECK(has(e, "desk.yaml:16:14: unknown outcome 'maybe'"));
  CHECK(has(e, "desk.yaml:21:14: outcome 'follow_up' is decided by threading"));
  CHECK(has(e, "desk.yaml:27:13: 'action' is only for outcome out_of_scope"));
}

TEST_CASE("desk: template overrides per kind, unknown kinds refused") {
  CHECK(has(errors_of(base + "templates: {ack_recieved: x}\n"), "unknown template kind 'ack_recieved'"));
  ConfigErrors errors;
  auto p = Policy::from_text({{"desk.yaml", base + "templates: {ack_received: pl_ack}\n"}}, "", errors);
  REQUIRE(p);
  auto d = p->decide(mail({.from = "x@y.jp", .to = "support@desk.example.jp", .subject = "q"}),
                     *p->desk("desk"), at("2026-11-24T10:00:00+09:00"));
  CHECK(d.identity == Identity::not_registered);
  CHECK(d.template_name == "identity_not_registered");
  // Every mail the desk sends may be worded by the desk, not only the automatic replies.
  ConfigErrors more;
  auto q = Policy::from_text({{"desk.yaml", base + "templates: {staff_reply: pl_reply, closed_agreed: pl_agreed, "
                                                   "auto_close_warning: pl_warn}\n"}}, "", more);
  REQUIRE(q);
  CHECK(more.empty());
  CHECK(q->desk("desk")->templates.at("staff_reply") == "pl_reply");
  CHECK(q->desk("desk")->templates.at("closed_agreed") == "pl_agreed");
  CHECK(q->desk("desk")->templates.at("closed") == "closed");
}

TEST_CASE("desk: outcomes and their templates, first match wins, eligible-only rules skip others") {
  const std::string tenants =
      "tenants:\n  - {id: t, company: T社, domains: [c.example.jp], admins: [a@c.example.jp], contracts: "
      "[{id: T-1, kind: contract_id, desks: [desk], valid_from: 2025-01-01, valid_until: 2030-12-31}]}\n";
  ConfigErrors errors;
  auto p = Policy::from_text({{"desk.yaml", base + R"(rules:
  - {id: SALES, description: d, cite: c, when: {text: {any: [見積]}}, outcome: redirect}
  - {id: REPLY, description: d, cite: c, when: {text: {any: [訪問]}}, outcome: out_of_scope, action: reply, reason: onsite, reason_ja: 訪問}
  - {id: FLAG, description: d, cite: c, when: {text: {any: [代行]}}, outcome: out_of_scope, reason: proxy, reason_ja: 代行}
  - {id: FLAG2, description: d, cite: c, when: {text: {any: [代行]}}, outcome: out_of_scope, action: reply, reason: proxy, reason_ja: 代行}
  - {id: FLAG3, description: d, cite: c, when: {text: {any: [改修]}}, outcome: out_of_scope, reason: custom, reason_ja: 個別改修, template: out_of_scope_custom}
  - {id: OOO, description: d, cite: c, when: {subject: {regex: '^不在'}}, outcome: auto_reply_received}
  - {id: BOUNCE, description: d, cite: c, when: {subject: {any: [配送失敗]}}, outcome: bounce}
  - {id: SCOPE, description: d, cite: c, when: {text: {any: [管理画面]}}, outcome: in_scope}
)"}},
                             tenants, errors);
  for (const auto& e : errors) MESSAGE(e.to_string());
  REQUIRE(p);
  const Desk& desk = *p->desk("desk");
  auto decide = [&](const char* from, const char* subject, const char* body) {
    return p->decide(mail({.from = from, .to = "support@desk.example.jp", .subject = subject, .body = body}), desk,
                     at("2026-11-24T10:00:00+09:00"));
  };
  auto sales = decide("buyer@else.example.jp", "見積依頼", "");
  CHECK(sales.outcome == Outcome::redirect);
  CHECK(sales.reason == "sales");
  CHECK(sales.template_name == "redirect_sales");
  CHECK(sales.auto_reply);
  auto reply = decide("a@c.example.jp", "訪問のお願い", "");
  CHECK(reply.action == Action::reply);
  CHECK(reply.template_name == "out_of_scope");
  CHECK(reply.reason_text == "訪問");
  auto flag = decide("a@c.example.jp", "設定代行", "");
  CHECK(flag.rule == "FLAG");  // first match wins over FLAG2
  CHECK(flag.action == Action::flag);
  CHECK(flag.template_name == "ack_received");
  // a content rule does not apply to a stranger: the identity refusal does
  auto stranger = decide("x@else.example.jp", "設定代行", "");
  CHECK(stranger.rule == "builtin:identity");
  CHECK(stranger.template_name == "identity_not_registered");
  CHECK(flag.refusal_template == "out_of_scope");
  CHECK(reply.refusal_template == "out_of_scope");
  // a flagged rule's template is the refusal staff may confirm, not the automatic reply
  auto custom = decide("a@c.example.jp", "改修のお願い", "");
  CHECK(custom.template_name == "ack_received");
  CHECK(custom.refusal_template == "out_of_scope_custom");
  CHECK_FALSE(sales.refusal_template.has_value());
  auto ooo = decide("a@c.example.jp", "不在のお知らせ", "");
  CHECK(ooo.outcome == Outcome::auto_reply_received);
  CHECK_FALSE(ooo.auto_reply);
  CHECK(ooo.template_name.empty());
  auto bounce = decide("a@c.example.jp", "配送失敗", "");
  CHECK(bounce.outcome == Outcome::bounce);
  CHECK_FALSE(bounce.auto_reply);
  auto scope = decide("a@c.example.jp", "管理画面", "");
  CHECK(scope.rule == "SCOPE");
  CHECK(scope.outcome == Outcome::in_scope);
  CHECK(scope.matched == std::vector<std::string>{"管理画面"});
  auto plain = decide("a@c.example.jp", "質問", "");
  CHECK_FALSE(plain.rule.has_value());
  CHECK(plain.outcome == Outcome::in_scope);
}

TEST_CASE("policy: desks must not share ids or addresses, tenants must name known desks") {
  ConfigErrors errors;
  auto p = Policy::from_text({{"a.yaml", base}, {"b.yaml", base}},
                             "tenants:\n  - {id: t, company: T, contracts: [{id: X-1, kind: licence, desks: [nowhere], "
                             "valid_from: 2025-01-01, valid_until: 2025-12-31}]}\n",
                             errors);
  CHECK_FALSE(p);
  std::vector<std::string> msgs;
  for (const auto& e : errors) msgs.push_back(e.to_string());
  CHECK(has(msgs, "address support@desk.example.jp is also desk 'a'"));
  CHECK(has(msgs, "tenants.yaml:2:69: unknown desk 'nowhere'"));
}

TEST_CASE("policy: explain lists every rule evaluated and why") {
  ConfigErrors errors;
  auto p = Policy::from_text(
      {{"desk.yaml", base + "rules:\n  - {id: R1, description: d, cite: c, when: {text: {any: [訪問]}}, outcome: "
                            "out_of_scope, reason: r, reason_ja: r}\n  - {id: R2, description: d, cite: c, when: "
                            "{text: {any: [管理画面]}}, outcome: in_scope}\n"}},
      "tenants:\n  - {id: t, company: T, admins: [a@c.jp], contracts: [{id: X-1, kind: licence, desks: [desk], "
      "valid_from: 2025-01-01, valid_until: 2030-12-31}]}\n",
      errors);
  REQUIRE(p);
  auto d = p->decide(mail({.from = "a@c.jp", .subject = "管理画面"}), *p->desk("desk"),
                     at("2026-11-24T10:00:00+09:00"), true);
  REQUIRE(d.trace.size() >= 4);
  auto r1 = std::find_if(d.trace.begin(), d.trace.end(), [](const auto& t) { return t.rule == "R1"; });
  auto r2 = std::find_if(d.trace.begin(), d.trace.end(), [](const auto& t) { return t.rule == "R2"; });
  REQUIRE(r1 != d.trace.end());
  REQUIRE(r2 != d.trace.end());
  CHECK_FALSE(r1->matched);
  CHECK(r1->conditions.front().find("no word found") != std::string::npos);
  CHECK(r2->matched);
  CHECK(r2->conditions.front().find("matched 管理画面") != std::string::npos);
  CHECK(p->decide(mail({.from = "a@c.jp", .subject = "管理画面"}), *p->desk("desk"), at("2026-11-24T10:00:00+09:00")).trace.empty());
}

TEST_CASE("desk: first_response is whole business days, hours must open some day") {
  CHECK(has(errors_of(base + "first_response: 1h\n"), "'first_response' must be business days"));
  CHECK(has(errors_of(base + "first_response: -1d\n"), "'first_response' must be business days"));
  CHECK(errors_of(base + "first_response: 2d\n").empty());
  auto never = errors_of("name: x\naddresses: [a@b.jp]\neligibility: tenant_admin\nintake: always\nhours_text: x\n"
                         "hours: {days: [], open: \"09:00\", close: \"17:00\", time_zone: Asia/Tokyo}\n");
  CHECK_FALSE(never.empty());
}

TEST_CASE("desk: a rule's template naming a kind follows the desk's templates override") {
  ConfigErrors errors;
  auto p = Policy::from_text(
      {{"desk.yaml", base + "templates: {identity_not_admin: custom_not_admin}\nrules:\n"
                            "  - {id: NA, description: d, cite: c, senders: all, when: {identity: not_admin}, "
                            "outcome: out_of_scope, action: reply, reason: na, reason_ja: 管理者以外, template: identity_not_admin}\n"
                            "  - {id: DIRECT, description: d, cite: c, when: {text: {any: [特別]}}, "
                            "outcome: out_of_scope, action: reply, reason: x, reason_ja: x, template: special_refusal}\n"}},
      "tenants:\n  - {id: t, company: T, domains: [c.jp], admins: [a@c.jp], contracts: [{id: X-1, kind: licence, "
      "desks: [desk], valid_from: 2025-01-01, valid_until: 2030-12-31}]}\n",
      errors);
  REQUIRE(p);
  const auto when = at("2026-11-24T10:00:00+09:00");
  CHECK(p->decide(mail({.from = "b@c.jp", .subject = "q"}), *p->desk("desk"), when).template_name == "custom_not_admin");
  CHECK(p->decide(mail({.from = "a@c.jp", .subject = "特別"}), *p->desk("desk"), when).template_name == "special_refusal");
}

TEST_CASE("desk: auto_close of silent waiting_customer tickets, off by default") {
  ConfigErrors errors;
  std::string b = base;
  b.replace(b.find("support@"), 8, "other@");
  auto p = Policy::from_text({{"a.yaml", base}, {"b.yaml", b + "auto_close: {warn_after: 5d, close_after: 3d}\n"}},
                             "", errors);
  for (const auto& e : errors) MESSAGE(e.to_string());
  REQUIRE(p);
  CHECK(p->desk("a")->auto_close_warn_days == 0);
  CHECK(p->desk("a")->auto_close_days == 0);
  CHECK(p->desk("b")->auto_close_warn_days == 5);
  CHECK(p->desk("b")->auto_close_days == 3);
  CHECK(has(errors_of(base + "auto_close: {warn_after: 5d}\n"), "missing required key 'close_after'"));
  CHECK(has(errors_of(base + "auto_close: {warn_after: 0d, close_after: 1d}\n"), "at least 1d"));
  CHECK(has(errors_of(base + "auto_close: {warn_after: 5h, close_after: 1d}\n"), "'warn_after' must be business days"));
}

TEST_CASE("desk: staff_reply_address defaults to the first address, may be another or none, never with a + part") {
  auto desk_of = [](const std::string& yaml) {
    ConfigErrors errors;
    auto p = Policy::from_text({{"desk.yaml", yaml}}, "", errors);
    REQUIRE(p);
    return p->desk("desk")->staff_reply_address;
  };
  CHECK(desk_of(base) == "support@desk.example.jp");
  CHECK(desk_of(base + "staff_reply_address: Staff-Replies@Desk.Example.JP\n") == "staff-replies@desk.example.jp");
  CHECK(desk_of(base + "staff_reply_address: none\n").empty());
  CHECK(has(errors_of(base + "staff_reply_address: support+x@desk.example.jp\n"),
            "desk.yaml:7:22: 'staff_reply_address' must be an address without a + part"));
  CHECK(has(errors_of(base + "staff_reply_address: nobody\n"), "'staff_reply_address' must be an address"));
  // Another desk's address would make mail to it ambiguous.
  ConfigErrors errors;
  std::string other = base;
  other.replace(other.find("support@"), 8, "b@");
  other += "staff_reply_address: support@desk.example.jp\n";
  CHECK_FALSE(Policy::from_text({{"a.yaml", base}, {"b.yaml", other}}, "", errors));
  std::vector<std::string> msgs;
  for (const auto& e : errors) msgs.push_back(e.to_string());
  CHECK(has(msgs, "staff_reply_address support@desk.example.jp is also an address of desk 'a'"));
}

TEST_CASE("routing: a desk address with a + part, and its staff_reply_address with one, are the desk's") {
  ConfigErrors errors;
  auto p = Policy::from_text({{"desk.yaml", base + "staff_reply_address: staff@replies.example.jp\n"}}, "", errors);
  REQUIRE(p);
  auto to = [&](const std::string& rcpt) {
    auto m = mail({.from = "a@c.jp", .subject = "s"});
    m.to = {{"", rcpt}};
    const Desk* d = p->route(m, "");
    return d ? d->id : std::string("none");
  };
  CHECK(to("support@desk.example.jp") == "desk");
  CHECK(to("Support+mg-000001-abcdefghijklmnop@desk.example.jp") == "desk");
  CHECK(to("staff+mg-000001-abcdefghijklmnop@replies.example.jp") == "desk");
  CHECK(to("staff@replies.example.jp") == "none");  // only the keyed form: staff reply to that
  CHECK(to("support+x@other.example.jp") == "none");
  CHECK(to("supportx@desk.example.jp") == "none");
}

// One test per condition type of the rule language (rules/README.md), plus compile errors.
#include <doctest/doctest.h>

#include "rules/rule_set.h"
#include "rules_fixture.h"

using namespace madoguchi::rules;
using rules_test::mail;
using rules_test::MailSpec;

namespace {

struct Compiled {
  ConditionSet set;
  int handle = -1;
  ConfigErrors errors;
};

Compiled compile(std::string_view yaml, std::vector<std::pair<std::string, std::vector<std::string>>> lists = {}) {
  Compiled c;
  ConfigReader r("rules.yaml");
  auto root = r.parse(yaml);
  REQUIRE(root);
  for (auto& [name, words] : lists) c.set.add_list(name, words, r, *root);
  c.handle = c.set.compile(*root, r);
  c.set.finish();
  c.errors = r.take_errors();
  return c;
}

struct Result {
  bool hit;
  std::vector<std::string> matched;
};

Result eval(const Compiled& c, const madoguchi::parsers::ParsedMail& m,
            std::string_view identity = "eligible", std::string_view desk = "passlogic-cloud") {
  REQUIRE(c.errors.empty());
  REQUIRE(c.handle >= 0);
  const MatchInput in = c.set.prepare(m, identity, desk);
  Result r;
  r.hit = c.set.evaluate(c.handle, in, r.matched);
  return r;
}

std::string first_error(const Compiled& c) {
  REQUIRE_FALSE(c.errors.empty());
  return c.errors.front().to_string();
}

}  // namespace

TEST_CASE("condition text: any word, in subject or body, after NFKC and case folding") {
  auto c = compile("text: {any: [VPN, オンサイト]}");
  auto r = eval(c, mail({.subject = "ＶＰＮ接続について", .body = "よろしくお願いします"}));
  CHECK(r.hit);
  CHECK(r.matched == std::vector<std::string>{"VPN"});
  CHECK(eval(c, mail({.subject = "質問", .body = "ｵﾝｻｲﾄ対応は可能ですか"})).hit);
  CHECK_FALSE(eval(c, mail({.subject = "質問", .body = "管理画面の使い方"})).hit);
}

TEST_CASE("condition subject/body: only their own field") {
  auto s = compile("subject: {any: [至急]}");
  auto b = compile("body: {any: [至急]}");
  auto m = mail({.subject = "【至急】ログインできません", .body = "詳細は以下です"});
  CHECK(eval(s, m).hit);
  CHECK_FALSE(eval(b, m).hit);
}

TEST_CASE("condition text: all words must appear") {
  auto c = compile("text: {all: [クライアント証明書, インストール]}");
  CHECK(eval(c, mail({.body = "クライアント証明書のインストール手順を教えてください"})).hit);
  CHECK_FALSE(eval(c, mail({.body = "クライアント証明書の有効期限について"})).hit);
}

TEST_CASE("condition text: quoted lines of earlier mails do not match") {
  auto c = compile("body: {any: [オンサイト]}");
  CHECK_FALSE(eval(c, mail({.body = "承知しました。\n> オンサイト対応は対象外です\n"})).hit);
}

TEST_CASE("condition text: regex is RE2 over the normalised text") {
  auto c = compile(R"(text: {regex: '来(社|訪)'})");
  auto r = eval(c, mail({.body = "来週ご来訪いただけますか"}));
  CHECK(r.hit);
  CHECK(r.matched == std::vector<std::string>{"/来(社|訪)/"});
  CHECK_FALSE(eval(c, mail({.body = "来週の予定"})).hit);
  // case-insensitive on folded text: a pattern in capitals still matches
  CHECK(eval(compile("subject: {regex: 'WINDOWS\\s*7'}"), mail({.subject = "Ｗｉｎｄｏｗｓ 7 で使えますか"})).hit);
}

TEST_CASE("condition text: named keyword lists") {
  auto c = compile("text: {lists: [vendors]}", {{"vendors", {"Outlook", "Salesforce"}}});
  auto r = eval(c, mail({.body = "ＯＵＴＬＯＯＫ の設定"}));
  CHECK(r.hit);
  CHECK(r.matched == std::vector<std::string>{"Outlook"});
  CHECK(first_error(compile("text: {lists: [nope]}")) .find("unknown keyword list 'nope'") != std::string::npos);
}

TEST_CASE("condition header: exists, absent, equals, contains, regex") {
  auto m = mail({.subject = "x", .headers = {{"X-Mailer", "Microsoft Outlook 16.0"}, {"Importance", "High"}}});
  CHECK(eval(compile("header: {name: x-mailer, exists: true}"), m).hit);
  CHECK_FALSE(eval(compile("header: {name: X-Priority, exists: true}"), m).hit);
  CHECK(eval(compile("header: {name: X-Priority, exists: false}"), m).hit);
  CHECK(eval(compile("header: {name: Importance, equals: [high]}"), m).hit);
  CHECK_FALSE(eval(compile("header: {name: Importance, equals: [low]}"), m).hit);
  CHECK(eval(compile("header: {name: X-Mailer, contains: [outlook]}"), m).hit);
  CHECK(eval(compile("header: {name: X-Mailer, regex: 'outlook 1[0-9]'}"), m).hit);
  CHECK_FALSE(eval(compile("header: {name: X-Mailer, regex: 'thunderbird'}"), m).hit);
  CHECK(first_error(compile("header: {name: X-Mailer}")).find("needs exists") != std::string::npos);
}

TEST_CASE("condition from: address and domain (subdomains included)") {
  auto m = mail({.from = "Taro@Mail.Sakura-Giken.co.jp"});
  CHECK(eval(compile("from: {domain: [sakura-giken.co.jp]}"), m).hit);
  CHECK(eval(compile("from: {address: [taro@mail.sakura-giken.co.jp]}"), m).hit);
  CHECK_FALSE(eval(compile("from: {domain: [giken.co.jp.example]}"), m).hit);
  CHECK_FALSE(eval(compile("from: {domain: [kura-giken.co.jp]}"), m).hit);
}

TEST_CASE("condition identity and desk") {
  auto m = mail({});
  auto id = compile("identity: [not_admin, not_registered]");
  CHECK(eval(id, m, "not_admin").hit);
  CHECK_FALSE(eval(id, m, "eligible").hit);
  auto desk = compile("desk: conductor5");
  CHECK(eval(desk, m, "eligible", "conductor5").hit);
  CHECK_FALSE(eval(desk, m, "eligible", "votiro").hit);
  CHECK(first_error(compile("identity: [admin]")).find("unknown identity result 'admin'") != std::string::npos);
}

TEST_CASE("condition attachment_name and attachment_type") {
  auto m = mail({.subject = "証明書"});
  m.attachments.push_back({"ＣＬＩＥＮＴ.P12", "application/x-pkcs12", 10, ""});
  m.attachments.push_back({"画面.png", "image/png", 10, ""});
  CHECK(eval(compile("attachment_name: {any: [.p12, .pfx]}"), m).hit);
  CHECK(eval(compile(R"(attachment_name: {regex: '\.(p12|pfx)$'})"), m).hit);
  CHECK_FALSE(eval(compile("attachment_name: {any: [.exe]}"), m).hit);
  CHECK(eval(compile("attachment_type: [image/*]"), m).hit);
  CHECK(eval(compile("attachment_type: application/x-pkcs12"), m).hit);
  CHECK_FALSE(eval(compile("attachment_type: [application/zip]"), m).hit);
  CHECK_FALSE(eval(compile("attachment_type: [image/*]"), mail({})).hit);
}

TEST_CASE("combinators all, any, not - words under not are not reported") {
  auto c = compile(R"(
all:
  - text: {any: [Outlook]}
  - any:
      - text: {any: [設定方法]}
      - text: {any: [使い方]}
  - not: {text: {any: [PassLogic]}}
)");
  auto r = eval(c, mail({.body = "Outlook の使い方を教えてください"}));
  CHECK(r.hit);
  CHECK(r.matched == std::vector<std::string>{"Outlook", "使い方"});
  CHECK_FALSE(eval(c, mail({.body = "Outlook を使っていますが PassLogic の使い方を教えてください"})).hit);
  CHECK_FALSE(eval(c, mail({.body = "Outlook が起動しません"})).hit);
}

TEST_CASE("explain trace lists each condition with its verdict") {
  auto c = compile("all: [{text: {any: [VPN]}}, {not: {identity: not_admin}}]");
  const auto m = mail({.body = "VPN"});
  const MatchInput in = c.set.prepare(m, "eligible", "d");
  std::vector<std::string> matched;
  std::vector<ConditionTrace> trace;
  CHECK(c.set.evaluate(c.handle, in, matched, &trace));
  REQUIRE(trace.size() == 4);
  CHECK(trace[0].depth == 0);
  CHECK(trace[1].text.find("matched VPN") != std::string::npos);
  CHECK(trace[2].text == "not");
  CHECK_FALSE(trace[3].matched);
}

TEST_CASE("compile errors carry file:line:column") {
  CHECK(first_error(compile("txet: {any: [a]}")) == "rules.yaml:1:1: unknown condition 'txet' (expected one of: all, any, not, header, from, identity, desk, subject, body, text, attachment_name, attachment_type)");
  CHECK(first_error(compile("text:\n  regex: '(unclosed'\n")).rfind("rules.yaml:2:10: invalid regular expression '(unclosed'", 0) == 0);
  CHECK(first_error(compile("text: {any: [a], anyy: [b]}")).rfind("rules.yaml:1:18: unknown key 'anyy'", 0) == 0);
  CHECK(first_error(compile("text: [a, b]")).find("text matcher is a mapping") != std::string::npos);
  CHECK(first_error(compile("all: []")).find("non-empty list") != std::string::npos);
  CHECK(first_error(compile("{text: {any: [a]}, body: {any: [b]}}")).find("exactly one key") != std::string::npos);
}

TEST_CASE("condition identity accepts exactly the names of to_string(Identity)") {
  for (auto v : {Identity::eligible, Identity::not_registered, Identity::not_admin, Identity::contract_missing,
                 Identity::contract_expired, Identity::contract_suspended, Identity::unverified_sender}) {
    auto c = compile("identity: " + std::string(to_string(v)));
    CHECK_MESSAGE(c.errors.empty(), to_string(v));
    CHECK(eval(c, mail({}), to_string(v)).hit);
  }
}

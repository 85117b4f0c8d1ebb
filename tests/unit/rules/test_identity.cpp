// Identity results (SPEC.md §3): one case per result, per eligibility kind, contract ids in
// the forms customers write, validity at the receipt time, authenticated senders.
#include <doctest/doctest.h>

#include "rules/identity.h"
#include "rules/tenants.h"
#include "rules_fixture.h"

using namespace madoguchi::rules;
using rules_test::at;
using rules_test::mail;
using rules_test::MailSpec;

namespace {

std::string desk_yaml(std::string_view eligibility, std::string_view address, std::string_view extra = "") {
  return "name: テスト窓口\naddresses: [" + std::string(address) + "]\neligibility: " +
         std::string(eligibility) +
         "\nintake: always\nhours: {days: [mon, tue, wed, thu, fri], open: \"09:00\", close: \"17:00\", "
         "time_zone: Asia/Tokyo}\nhours_text: 平日 9:00〜17:00\n" + std::string(extra);
}

constexpr const char* tenants = R"(
tenants:
  - id: sakura
    company: 株式会社さくら技研
    domains: [sakura-giken.co.jp]
    admins: [it-admin@sakura-giken.co.jp]
    contracts:
      - {id: PL-0001, kind: contract_id, desks: [admin-desk], valid_from: 2025-04-01, valid_until: 2026-03-31}
      - {id: LX-2025-0042, kind: maintenance_id, desks: [id-desk], valid_from: 2025-04-01, valid_until: 2026-03-31}
      - {id: LX-2025-0099, kind: maintenance_id, desks: [id-desk], valid_from: 2025-04-01, valid_until: 2027-03-31, status: suspended}
      - {id: C5-1001, kind: licence, desks: [user-desk], valid_from: 2025-01-01, valid_until: 2025-12-31, incidents: 5}
  - id: minato
    company: みなと商事株式会社
    domains: [minato-shoji.co.jp]
    admins: [joho@minato-shoji.co.jp]
    contracts:
      - {id: LX-2025-0500, kind: maintenance_id, desks: [id-desk], valid_from: 2025-04-01, valid_until: 2027-03-31}
)";

std::shared_ptr<const Policy> policy(std::string_view auth_extra = "") {
  ConfigErrors errors;
  auto p = Policy::from_text({{"admin-desk.yaml", desk_yaml("tenant_admin", "admin@desk.example.jp", auth_extra)},
                              {"id-desk.yaml", desk_yaml("contract_id", "id@desk.example.jp")},
                              {"user-desk.yaml", desk_yaml("registered_user", "user@desk.example.jp")}},
                             tenants, errors);
  for (const auto& e : errors) MESSAGE(e.to_string());
  REQUIRE(p);
  return p;
}

Decision decide(const Policy& p, std::string_view desk, const MailSpec& s,
                std::string_view when = "2025-11-25T11:00:00+09:00") {
  const Desk* d = p.desk(desk);
  REQUIRE(d);
  return p.decide(mail(s), *d, at(when));
}

}  // namespace

TEST_CASE("identity tenant_admin: admin eligible, colleague not_admin, stranger not_registered") {
  auto p = policy();
  auto ok = decide(*p, "admin-desk", {.from = "IT-Admin@Sakura-Giken.co.jp", .subject = "管理画面について"});
  CHECK(ok.identity == Identity::eligible);
  CHECK(ok.tenant == "sakura");
  CHECK(ok.contract == "PL-0001");
  CHECK(ok.outcome == Outcome::in_scope);
  CHECK(ok.template_name == "ack_received");

  auto colleague = decide(*p, "admin-desk", {.from = "yamada@sakura-giken.co.jp", .subject = "質問"});
  CHECK(colleague.identity == Identity::not_admin);
  CHECK(colleague.tenant == "sakura");
  CHECK(colleague.outcome == Outcome::out_of_scope);
  CHECK(colleague.action == Action::reply);
  CHECK(colleague.auto_reply);
  CHECK(colleague.template_name == "identity_not_admin");
  CHECK(colleague.rule == "builtin:identity");

  auto stranger = decide(*p, "admin-desk", {.from = "someone@example.com", .subject = "質問"});
  CHECK(stranger.identity == Identity::not_registered);
  CHECK_FALSE(stranger.tenant.has_value());
  CHECK(stranger.template_name == "identity_not_registered");
}

TEST_CASE("identity: contract validity is judged at the receipt time, on the desk's local date") {
  auto p = policy();
  const MailSpec s{.from = "it-admin@sakura-giken.co.jp", .subject = "質問"};
  // valid_until 2026-03-31: the last local day still counts, the next does not
  CHECK(decide(*p, "admin-desk", s, "2026-03-31T23:59:00+09:00").identity == Identity::eligible);
  // 2026-03-31T15:30Z is already 2026-04-01 in Tokyo
  CHECK(decide(*p, "admin-desk", s, "2026-03-31T15:30:00Z").identity == Identity::contract_expired);
  auto expired = decide(*p, "admin-desk", s, "2026-04-01T10:00:00+09:00");
  CHECK(expired.identity == Identity::contract_expired);
  CHECK(expired.template_name == "identity_contract_expired");
  CHECK(decide(*p, "admin-desk", s, "2025-03-31T10:00:00+09:00").identity == Identity::contract_expired);
}

TEST_CASE("identity contract_id: the id must be given, in any of the forms customers write") {
  auto p = policy();
  const std::string from = "joho@minato-shoji.co.jp";
  auto missing = decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .subject = "質問", .body = "よろしくお願いします"});
  CHECK(missing.identity == Identity::contract_missing);
  CHECK(missing.template_name == "identity_contract_missing");
  CHECK_FALSE(missing.contract.has_value());

  for (const char* body : {"保守ID: LX-2025-0042", "契約ID：ＬＸ－２０２５－００４２", "保守ID　lx−2025−0042 です",
                           "LX-2025-0042の件で"}) {
    auto d = decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .subject = "質問", .body = body});
    CHECK_MESSAGE(d.identity == Identity::eligible, body);
    CHECK(d.contract == "LX-2025-0042");
  }
  // in the subject too
  CHECK(decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .subject = "【保守ID:LX-2025-0042】ログイン不可"})
            .identity == Identity::eligible);
  // a longer id that merely starts like a known one is not that id
  CHECK(decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "保守ID: LX-2025-00421"}).identity ==
        Identity::contract_missing);
  // another tenant's id does not count
  auto other = decide(*p, "id-desk", {.from = from, .body = "保守ID: LX-2025-0042"});
  CHECK(other.identity == Identity::contract_missing);
  CHECK(other.tenant == "minato");
  // the desk's id of the sender's own tenant does
  CHECK(decide(*p, "id-desk", {.from = from, .body = "保守ID: LX-2025-0500"}).identity == Identity::eligible);
}

TEST_CASE("identity contract_id: suspended and expired contracts") {
  auto p = policy();
  auto s = decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "契約ID LX-2025-0099"});
  CHECK(s.identity == Identity::contract_suspended);
  CHECK(s.contract == "LX-2025-0099");
  CHECK(s.template_name == "identity_contract_suspended");
  auto e = decide(*p, "id-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "契約ID LX-2025-0042"},
                  "2026-05-01T10:00:00+09:00");
  CHECK(e.identity == Identity::contract_expired);
}

TEST_CASE("identity registered_user: only the registered user, with a valid licence") {
  auto p = policy();
  auto ok = decide(*p, "user-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "ライセンス番号 C5-1001 について"});
  CHECK(ok.identity == Identity::eligible);
  CHECK(ok.contract == "C5-1001");
  CHECK(decide(*p, "user-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "質問"}).identity == Identity::eligible);
  CHECK(decide(*p, "user-desk", {.from = "other@sakura-giken.co.jp", .body = "質問"}).identity == Identity::not_admin);
  CHECK(decide(*p, "user-desk", {.from = "it-admin@sakura-giken.co.jp", .body = "質問"}, "2026-01-05T10:00:00+09:00")
            .identity == Identity::contract_expired);
  // a tenant with no licence for this desk
  CHECK(decide(*p, "user-desk", {.from = "joho@minato-shoji.co.jp", .body = "質問"}).identity ==
        Identity::contract_missing);
}

TEST_CASE("identity unverified_sender: only trusted dmarc=pass or aligned dkim=pass counts") {
  auto p = policy("require_authenticated_sender: true\ntrusted_authserv_ids: [mx.desk.example.jp]\n");
  const std::string from = "it-admin@sakura-giken.co.jp";
  auto with = [&](std::vector<std::pair<std::string, std::string>> h) {
    return decide(*p, "admin-desk", {.from = from, .subject = "質問", .headers = std::move(h)}).identity;
  };
  CHECK(with({}) == Identity::unverified_sender);
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; spf=pass smtp.mailfrom=sakura-giken.co.jp; dmarc=pass (p=reject) header.from=sakura-giken.co.jp"}}) == Identity::eligible);
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp 1; dkim=pass header.d=sakura-giken.co.jp header.s=s1"}}) == Identity::eligible);
  CHECK(with({{"Authentication-Results", "MX.DESK.EXAMPLE.JP; dkim=pass (good) header.i=@mail.sakura-giken.co.jp"}}) == Identity::eligible);
  // dkim for another domain is not aligned with From
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; dkim=pass header.d=bulk-mailer.example"}}) == Identity::unverified_sender);
  // a result stamped by someone else's server (forgeable) is ignored
  CHECK(with({{"Authentication-Results", "mx.attacker.example; dmarc=pass header.from=sakura-giken.co.jp"}}) == Identity::unverified_sender);
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; dmarc=fail header.from=sakura-giken.co.jp"}}) == Identity::unverified_sender);
  // RFC 8601: only the top block written by our own MTAs counts. A pass below a field of
  // another server came with the mail (forgeable), even if it names our authserv-id.
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; dmarc=fail header.from=sakura-giken.co.jp"},
              {"Authentication-Results", "mx.attacker.example; none"},
              {"Authentication-Results", "mx.desk.example.jp; dmarc=pass header.from=sakura-giken.co.jp"}}) ==
        Identity::unverified_sender);
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; spf=pass smtp.mailfrom=sakura-giken.co.jp"},
              {"Authentication-Results", "mx.desk.example.jp; dmarc=pass header.from=sakura-giken.co.jp"}}) ==
        Identity::eligible);  // two fields of ours on top: both count
  // dmarc=pass says nothing about whom without header.from; another domain's pass neither.
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; dmarc=pass"}}) == Identity::unverified_sender);
  CHECK(with({{"Authentication-Results", "mx.desk.example.jp; dmarc=pass header.from=example.com"}}) ==
        Identity::unverified_sender);
  auto d = decide(*p, "admin-desk", {.from = from, .subject = "質問"});
  CHECK(d.outcome == Outcome::out_of_scope);
  CHECK(d.template_name == "identity_unverified_sender");
}

TEST_CASE("tenants file: schema errors with file:line:column") {
  ConfigReader r("tenants.yaml");
  auto root = r.parse(R"(tenants:
  - id: a
    company: A社
    admins: [x@a.example]
    colour: red
    contracts:
      - {id: A-1, kind: license, desks: [d], valid_from: 2025-02-30, valid_until: 2025-01-01, status: paused}
  - id: a
    company: B社
    admins: [X@A.example]
    contracts:
      - {id: ａ－１, kind: licence, desks: [d], valid_from: 2025-01-01, valid_until: 2025-12-31, incidents: many}
)");
  REQUIRE(root);
  const std::vector<std::string> desks{"d"};
  auto t = parse_tenants(*root, r, &desks);
  std::vector<std::string> msgs;
  for (const auto& e : r.errors()) msgs.push_back(e.to_string());
  auto has = [&](std::string_view needle) {
    return std::any_of(msgs.begin(), msgs.end(), [&](const std::string& m) { return m.find(needle) != std::string::npos; });
  };
  CHECK(has("tenants.yaml:5:5: unknown key 'colour'"));
  CHECK(has("'kind' must be contract_id, maintenance_id or licence"));
  CHECK(has("'valid_from' must be a date YYYY-MM-DD"));
  CHECK(has("'status' must be active or suspended"));
  CHECK(has("tenants.yaml:8:9: tenant id 'a' is used twice"));
  CHECK(has("admin 'X@A.example' is listed for two tenants"));
  CHECK(has("contract id 'A-1' is used twice"));  // ａ－１ is A-1 after normalisation
  CHECK(has("'incidents' must be an integer"));
}

TEST_CASE("tenants: labelled but unknown contract ids are told apart from none") {
  CHECK(labelled_contract_ids("保守ID：ＸＹ－９９ です").front() == "XY-99");
  CHECK(labelled_contract_ids("ライセンス番号 C5-1001").front() == "C5-1001");
  CHECK(labelled_contract_ids("よろしくお願いします").empty());
  CHECK(normalize_contract_id(" ｌｘ－２０２５－００４２ ") == "LX-2025-0042");
}

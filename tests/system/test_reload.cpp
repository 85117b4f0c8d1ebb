// The rules reload of the running daemon (SPEC.md §4, STYLE.md "Reload"): a broken rules edit
// and SIGHUP leave the previous rules in force and log the error's file:line:column; a fixed
// edit and SIGHUP take effect without a restart. Also `madoguchi check` and `classify` on
// the real binary. Everything runs in a fresh temporary directory.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "daemon_process.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using madoguchi::testing::DaemonProcess;
using madoguchi::testing::run_madoguchi;
using namespace std::chrono_literals;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// The desk of the test. `extra_rule` is appended to its rules; the onsite rule is always
// there, so "old rules in force" is visible as R_ONSITE still deciding.
std::string desk_yaml(const std::string& extra_rule = "") {
  return R"(name: リロード試験窓口
addresses: [reload@desk.example.jp]
eligibility: tenant_admin
intake: always
hours: {days: [mon, tue, wed, thu, fri, sat, sun], open: "00:00", close: "24:00", time_zone: Asia/Tokyo, national_holidays: open, year_end: none}
hours_text: 毎日 0:00〜24:00
rules:
  - id: R_ONSITE
    description: オンサイト対応の依頼
    cite: "passlogic §4 対象外 10"
    when: {text: {any: [オンサイト]}}
    outcome: out_of_scope
    action: flag
    reason: onsite
    reason_ja: オンサイト対応
)" + extra_rule;
}

// Appended to the desk file, the broken regex is on line 19.
const std::string price_rule_broken = R"(  - id: R_PRICE
    description: 価格のお問い合わせ
    cite: "layerx 4-2-1 補足事項"
    when: {text: {regex: '見積(もり'}}
    outcome: redirect
)";
const std::string price_rule_fixed = R"(  - id: R_PRICE
    description: 価格のお問い合わせ
    cite: "layerx 4-2-1 補足事項"
    when: {text: {regex: '見積(もり)?'}}
    outcome: redirect
)";

struct Setup {
  fs::path dir;
  fs::path config;
  fs::path desk;
  Setup() {
    dir = fs::temp_directory_path() / ("madoguchi-reload-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    for (const char* sub : {"Maildir/new", "Maildir/cur", "Maildir/tmp"}) fs::create_directories(dir / sub);
    desk = dir / "desks" / "reload-desk.yaml";
    write(desk, desk_yaml());
    write(dir / "tenants.yaml", R"(tenants:
  - id: sakura
    company: 株式会社さくら技研
    domains: [sakura-giken.co.jp]
    admins: [it-admin@sakura-giken.co.jp]
    contracts:
      - {id: PL-0001, kind: contract_id, desks: [reload-desk], valid_from: 2020-01-01, valid_until: 2099-12-31}
)");
    config = dir / "madoguchi.yaml";
    write(config, "store: store\ndesks: desks\ntenants: tenants.yaml\ntemplates: " +
                      std::string(MADOGUCHI_SOURCE_DIR) + "/templates\n"
                      "mailboxes:\n  - name: box\n    url: maildir:Maildir\n    desk: reload-desk\n"
                      "    poll_interval: 1s\n    first_run_cutoff: 36500d\n"
                      "smtp:\n  url: dir:sent\n");
  }
  ~Setup() { fs::remove_all(dir); }

  // Delivers a mail into the Maildir as an MTA would (tmp/, then rename into new/).
  void deliver(int n, const std::string& subject, const std::string& body) const {
    const std::string name = std::to_string(n) + ".reload-test";
    write(dir / "Maildir/tmp" / name,
          "From: IT Admin <it-admin@sakura-giken.co.jp>\r\nTo: reload@desk.example.jp\r\n"
          "Subject: " + subject + "\r\nMessage-ID: <reload-" + std::to_string(n) +
          "@sakura-giken.co.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
          "Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n");
    fs::rename(dir / "Maildir/tmp" / name, dir / "Maildir/new" / name);
  }
};

// The `rule=` of every mail_classified log line, in order.
std::vector<std::string> classified_rules(const std::string& log) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = log.find("event=mail_classified", pos)) != std::string::npos) {
    const std::size_t eol = log.find('\n', pos);
    const std::string line = log.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    const std::size_t r = line.find(" rule=");
    out.push_back(r == std::string::npos ? "?" : line.substr(r + 6, line.find(' ', r + 6) - r - 6));
    pos = eol == std::string::npos ? log.size() : eol;
  }
  return out;
}

}  // namespace

TEST_CASE("reload: a broken rules edit keeps the old rules and logs the position, a fixed one takes effect") {
  Setup s;
  DaemonProcess daemon({"run", "--config", s.config.string()}, s.dir / "madoguchi.log");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=daemon_ready", 20s), daemon.log());

  // The rules at start: onsite is flagged, a price question is plain in scope.
  s.deliver(1, "見積もりのお願い", "見積もりをお願いします。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=mail_classified", 20s, 1), daemon.log());
  CHECK(classified_rules(daemon.log()).back() == "-");

  // A broken edit: the daemon refuses it, says where, and keeps the old rules.
  write(s.desk, desk_yaml(price_rule_broken));
  daemon.signal(SIGHUP);
  REQUIRE_MESSAGE(daemon.wait_for_log("event=reload_kept_previous", 20s), daemon.log());
  const std::string log = daemon.log();
  CHECK(log.find("event=reload_failed") != std::string::npos);
  CHECK_MESSAGE(log.find("reload-desk.yaml:19:") != std::string::npos, log);
  CHECK(log.find("invalid regular expression") != std::string::npos);

  s.deliver(2, "オンサイトのお願い", "オンサイトで対応いただけますか。");
  s.deliver(3, "見積もりのお願い", "見積もりをお願いします。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=mail_classified", 20s, 3), daemon.log());
  auto rules = classified_rules(daemon.log());
  REQUIRE(rules.size() == 3);
  CHECK(std::count(rules.begin() + 1, rules.end(), "R_ONSITE") == 1);  // old rules still decide
  CHECK(std::count(rules.begin() + 1, rules.end(), "-") == 1);         // R_PRICE not in force
  CHECK(std::count(rules.begin(), rules.end(), "R_PRICE") == 0);

  // The fixed edit takes effect on the next SIGHUP, without a restart.
  write(s.desk, desk_yaml(price_rule_fixed));
  daemon.signal(SIGHUP);
  REQUIRE_MESSAGE(daemon.wait_for_log("event=reload_succeeded", 20s), daemon.log());
  s.deliver(4, "見積もりのお願い", "見積もりをお願いします。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=mail_classified", 20s, 4), daemon.log());
  rules = classified_rules(daemon.log());
  REQUIRE(rules.size() == 4);
  CHECK(rules.back() == "R_PRICE");
  CHECK(daemon.log().find("event=daemon_stopped") == std::string::npos);  // same process all along
}

TEST_CASE("check: exit 0 on the shipped desks, exit 1 with every error as file:line:column") {
  Setup s;
  auto ok = run_madoguchi({"check", "--config", s.config.string()});
  CHECK_MESSAGE(ok.exit_code == 0, ok.output);
  write(s.dir / "shipped.yaml", "store: store\ndesks: " + std::string(MADOGUCHI_SOURCE_DIR) +
                                    "/config/desks\ntenants: " + std::string(MADOGUCHI_SOURCE_DIR) +
                                    "/config/tenants.example.yaml\ntemplates: " +
                                    std::string(MADOGUCHI_SOURCE_DIR) + "/templates\n");
  auto shipped = run_madoguchi({"check", "--config", (s.dir / "shipped.yaml").string()});
  CHECK_MESSAGE(shipped.exit_code == 0, shipped.output);
  CHECK(shipped.output.find("4 desks") != std::string::npos);

  write(s.desk, desk_yaml(price_rule_broken) + "rules: []\n");  // + a duplicate key
  write(s.dir / "tenants.yaml", "tenants:\n  - id: x\n    company: X\n    colour: red\n");
  auto bad = run_madoguchi({"check", "--config", s.config.string()});
  CHECK(bad.exit_code == 1);
  CHECK_MESSAGE(bad.output.find("reload-desk.yaml:19:") != std::string::npos, bad.output);
  CHECK_MESSAGE(bad.output.find("reload-desk.yaml:21:1: duplicate key 'rules'") != std::string::npos, bad.output);
  CHECK(bad.output.find("tenants.yaml:4:5: unknown key 'colour'") != std::string::npos);
}

TEST_CASE("classify: prints the decision as JSON, with --desk, --at and --explain") {
  Setup s;
  const fs::path mail = s.dir / "mail.eml";
  write(mail, "From: it-admin@sakura-giken.co.jp\r\nTo: reload@desk.example.jp\r\nSubject: オンサイト\r\n"
              "Date: Tue, 24 Nov 2026 09:30:00 +0900\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
              "ＯＮＳＩＴＥ、オンサイトで対応をお願いします。\r\n");
  auto r = run_madoguchi({"classify", "--config", s.config.string(), mail.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto j = nlohmann::json::parse(r.output);
  INFO(r.output);
  CHECK(j["desk"] == "reload-desk");
  CHECK(j["identity"] == "eligible");
  CHECK(j["tenant"] == "sakura");
  CHECK(j["contract"] == "PL-0001");
  CHECK(j["outcome"] == "out_of_scope");
  CHECK(j["action"] == "flag");
  CHECK(j["rule"] == "R_ONSITE");
  CHECK(j["matched"] == nlohmann::json::array({"オンサイト"}));
  CHECK(j["auto_reply"] == true);
  CHECK(j["template"] == "ack_received");
  CHECK(j["received_at"] == "2026-11-24T09:30:00+09:00");
  for (const char* field : {"accepted_at", "next_open", "first_response_due", "reason_text", "cite"})
    CHECK_MESSAGE(j.contains(field), field);
  CHECK(r.output.find("\"explain\"") == std::string::npos);

  auto at = run_madoguchi({"classify", "--config", s.config.string(), "--desk", "reload-desk", "--at",
                           "2027-01-05T12:00:00Z", "--explain", mail.string()});
  REQUIRE_MESSAGE(at.exit_code == 0, at.output);
  CHECK(at.output.find("\"received_at\": \"2027-01-05T21:00:00+09:00\"") != std::string::npos);
  CHECK(at.output.find("\"explain\"") != std::string::npos);
  CHECK(at.output.find("+ text any [オンサイト]: matched オンサイト") != std::string::npos);

  CHECK(run_madoguchi({"classify", "--config", s.config.string(), "--desk", "nope", mail.string()}).exit_code == 2);
  CHECK(run_madoguchi({"classify", "--config", s.config.string(), "--at", "yesterday", mail.string()}).exit_code == 2);
}

TEST_CASE("classify: --mailbox picks the desk of mail addressed to no desk address") {
  Setup s;
  const fs::path mail = s.dir / "mail.eml";
  write(mail, "From: it-admin@sakura-giken.co.jp\r\nTo: someone-else@example.jp\r\nSubject: 質問\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n\r\n質問です。\r\n");
  auto r = run_madoguchi({"classify", "--config", s.config.string(), "--mailbox", "box", mail.string()});
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(r.output.find("\"desk\": \"reload-desk\"") != std::string::npos);
  CHECK(run_madoguchi({"classify", "--config", s.config.string(), "--mailbox", "nope", mail.string()}).exit_code == 2);
}

namespace {

// A daemon on `s` with its templates copied into the test directory (so that the test may
// break one), up and past its first pass.
void use_local_templates(const Setup& s) {
  fs::copy(fs::path(MADOGUCHI_SOURCE_DIR) / "templates", s.dir / "templates", fs::copy_options::recursive);
  std::ifstream in(s.config);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string from = "templates: " + std::string(MADOGUCHI_SOURCE_DIR) + "/templates\n";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "templates: templates\n");
  write(s.config, text);
}

// The desk=… of every mail_classified log line, in order.
std::vector<std::string> classified_desks(const std::string& log) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; (pos = log.find("event=mail_classified", pos)) != std::string::npos; ++pos) {
    const std::size_t d = log.find(" desk=", pos);
    out.push_back(log.substr(d + 6, log.find(' ', d + 6) - d - 6));
  }
  return out;
}

long long acks_sent(const Setup& s) {
  return madoguchi::testing::store_count(s.dir / "store" / "madoguchi.db",
                                         "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement' AND state = 'sent'");
}

// SIGHUP, then the refusal: reload_failed naming `position` and reload_kept_previous.
void expect_refused_reload(DaemonProcess& daemon, const std::string& position) {
  daemon.signal(SIGHUP);
  REQUIRE_MESSAGE(daemon.wait_for_log("event=reload_kept_previous", 20s), daemon.log());
  const std::string log = daemon.log();
  CHECK(log.find("event=reload_succeeded") == std::string::npos);
  const std::size_t failed = log.find("event=reload_failed");
  REQUIRE_MESSAGE(failed != std::string::npos, log);
  CHECK_MESSAGE(log.find(position, failed) != std::string::npos, log);
}

}  // namespace

TEST_CASE("reload: a broken template is refused with its file:line:column, and mail is still answered with the old one") {
  Setup s;
  use_local_templates(s);
  DaemonProcess daemon({"run", "--config", s.config.string()}, s.dir / "madoguchi.log");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=daemon_ready", 20s), daemon.log());
  s.deliver(1, "質問", "管理画面の操作について教えてください。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=outbox_sent", 20s, 1), daemon.log());

  // An unclosed section on line 3 of the acknowledgement.
  write(s.dir / "templates/ack_received.mustache",
        "Subject: {{ticket_tag}} 受付（{{original_subject}}）\n\n{{#due_at}}壊れた節\n");
  expect_refused_reload(daemon, "ack_received.mustache:3:");

  // The old template still answers.
  s.deliver(2, "質問その二", "もう一つ教えてください。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=outbox_sent", 20s, 2), daemon.log());
  CHECK(daemon.log().find("event=template_missing") == std::string::npos);
  CHECK(daemon.log().find("event=message_attempt_failed") == std::string::npos);
  CHECK(acks_sent(s) == 2);
  CHECK(daemon.log().find("event=daemon_stopped") == std::string::npos);
}

TEST_CASE("reload: a broken tenants file is refused with its file:line:column, and the old tenants still identify senders") {
  Setup s;
  DaemonProcess daemon({"run", "--config", s.config.string()}, s.dir / "madoguchi.log");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=daemon_ready", 20s), daemon.log());

  // The new file would drop the admin, but it has an unknown key on line 5: none of it applies.
  write(s.dir / "tenants.yaml", "tenants:\n  - id: sakura\n    company: 株式会社さくら技研\n"
                                "    domains: [sakura-giken.co.jp]\n    colour: red\n");
  expect_refused_reload(daemon, "tenants.yaml:5:5: unknown key 'colour'");

  s.deliver(1, "質問", "管理画面の操作について教えてください。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=mail_classified", 20s, 1), daemon.log());
  const std::string log = daemon.log();
  const std::size_t at = log.find("event=mail_classified");
  const std::string line = log.substr(at, log.find('\n', at) - at);
  CHECK_MESSAGE(line.find(" identity=eligible ") != std::string::npos, line);
  REQUIRE_MESSAGE(daemon.wait_for_log("event=outbox_sent", 20s, 1), daemon.log());
  CHECK(acks_sent(s) == 1);
}

TEST_CASE("reload: a mailbox whose desk was removed is refused at the mailbox's desk line, and its mail still goes to that desk") {
  Setup s;
  DaemonProcess daemon({"run", "--config", s.config.string()}, s.dir / "madoguchi.log");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=daemon_ready", 20s), daemon.log());

  // The desk file is replaced by another desk: valid on its own, but the mailbox (line 8 of
  // madoguchi.yaml, the value at column 11) names the desk that is gone.
  std::string other = desk_yaml();
  other.replace(other.find("リロード試験窓口"), std::string("リロード試験窓口").size(), "別の窓口");
  other.replace(other.find("reload@desk.example.jp"), std::string("reload@desk.example.jp").size(), "other@desk.example.jp");
  write(s.dir / "desks" / "other-desk.yaml", other);
  fs::remove(s.desk);
  // The tenants follow the change (so that the mailbox is the only error left).
  std::ifstream in(s.dir / "tenants.yaml");
  std::string tenants{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  tenants.replace(tenants.find("desks: [reload-desk]"), std::string("desks: [reload-desk]").size(), "desks: [other-desk]");
  write(s.dir / "tenants.yaml", tenants);
  expect_refused_reload(daemon, "madoguchi.yaml:8:11: mailbox 'box': unknown desk 'reload-desk'");

  s.deliver(1, "オンサイトのお願い", "オンサイトで対応いただけますか。");
  REQUIRE_MESSAGE(daemon.wait_for_log("event=mail_classified", 20s, 1), daemon.log());
  CHECK(classified_desks(daemon.log()) == std::vector<std::string>{"reload-desk"});
  CHECK(classified_rules(daemon.log()) == std::vector<std::string>{"R_ONSITE"});
  CHECK(daemon.log().find("event=daemon_stopped") == std::string::npos);
}

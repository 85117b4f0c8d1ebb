// `madoguchi ticket …` on the real binary (SPEC.md §5, §11): a deployment in a temporary
// directory with the demo's two Maildirs (config/demo/mail/, arrival times from their Date
// headers) and a `dir:` sink, one `run --once` to open the tickets, then list (table, --json,
// --desk/--status/--tenant/--overdue), show, reply, note, status, close and reopen, and the
// error exits (1 for an unknown ticket, 2 for bad usage). Outgoing mail is queued by the CLI
// and written to the sink by the next `run --once`; the tests read it back from there.
#include <doctest/doctest.h>

#include "daemon_process.h"
#include "parsers/parsed_mail.h"
#include "rules/calendar.h"

#include <nlohmann/json.hpp>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using madoguchi::testing::CommandResult;
using madoguchi::testing::run_madoguchi;

namespace {

constexpr const char* kCustomer = "it-admin@sakura-giken.co.jp";
constexpr const char* kStaff = "staff@passlogic-cloud.example.jp";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// "Fri, 20 Nov 2026 10:32:05 +0900" -> Unix seconds (the demo mails' Date headers).
std::time_t rfc2822_time(const std::string& date) {
  char wd[8] = {}, mon[8] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, zone = 0;
  REQUIRE_MESSAGE(std::sscanf(date.c_str(), "%3s, %d %3s %d %d:%d:%d %d", wd, &day, mon, &year, &hh, &mm,
                              &ss, &zone) == 8,
                  date);
  static const std::string months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(months.find(mon) / 3);
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  const int sign = zone < 0 ? -1 : 1;
  const int offset = sign * ((std::abs(zone) / 100) * 3600 + (std::abs(zone) % 100) * 60);
  return ::timegm(&tm) - offset;
}

// Puts a mail into a Maildir's new/ with the file time (= arrival time) of its Date header.
void deliver(const fs::path& maildir, const std::string& name, const std::string& raw) {
  const fs::path dest = maildir / "new" / name;
  write(dest, raw);
  const auto pos = raw.find("\nDate: ");
  REQUIRE(pos != std::string::npos);
  const std::string date = raw.substr(pos + 7, raw.find_first_of("\r\n", pos + 7) - pos - 7);
  const std::time_t t = rfc2822_time(date);
  const timeval times[2] = {{t, 0}, {t, 0}};
  REQUIRE(::utimes(dest.c_str(), times) == 0);
}

// An eligible admin's question dated June 2025: its first-response due time has long passed,
// so it is the one ticket that is certainly overdue whatever the clock says.
const std::string kOldQuestion =
    "From: it-admin@sakura-giken.co.jp\r\nTo: passlogic-support@madoguchi.example.jp\r\n"
    "Subject: =?UTF-8?B?44Ot44Kw5Ye65Yqb44Gu6Kit5a6a5pa55rOV?=\r\n"  // ログ出力の設定方法
    "Message-ID: <old-1@sakura-giken.co.jp>\r\nDate: Mon, 02 Jun 2025 11:00:00 +0900\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "ログ出力の設定方法を教えてください。\r\n";

// The deployment: demo mail in two Maildirs (passlogic -> passlogic-cloud, reseller ->
// layerx-saas), the shipped desks and templates, the demo tenants, a directory sink.
// After the first run --once the tickets are (config order, then arrival order):
//   MG-000001 passlogic-cloud  kOldQuestion                        open, overdue
//   MG-000002 passlogic-cloud  01 admin question (+ 05 follow-up)  open
//   MG-000003 passlogic-cloud  02 non-admin                        closed
//   MG-000004 passlogic-cloud  07 stranger                         closed
//   MG-000005 passlogic-cloud  03 out of scope                     open, flagged
//   MG-000006 passlogic-cloud  06 attachment                       open
//   MG-000007 layerx-saas      09 contract missing                 closed
//   MG-000008 layerx-saas      08 after hours (Saturday night)     queued until 11/24 09:00
// (04, an auto-reply from a non-admin, opens no ticket.)
struct Deployment {
  fs::path dir;
  fs::path config;
  fs::path sent;

  Deployment() {
    static std::atomic<int> counter{0};
    dir = fs::temp_directory_path() /
          ("madoguchi-ticket-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    for (const char* box : {"passlogic", "reseller"}) {
      for (const char* sub : {"new", "cur", "tmp"}) fs::create_directories(dir / "Maildir" / box / sub);
      for (const auto& entry : fs::directory_iterator(src / "config/demo/mail" / box))
        if (entry.path().extension() == ".eml")
          deliver(dir / "Maildir" / box, entry.path().stem().string() + ".demo", slurp(entry.path()));
    }
    deliver(dir / "Maildir/passlogic", "00-old.demo", kOldQuestion);
    config = dir / "madoguchi.yaml";
    sent = dir / "sent";
    write(config, "store: store\n"
                  "desks: " + (src / "config/desks").string() + "\n"
                  "tenants: " + (src / "config/demo/tenants.yaml").string() + "\n"
                  "templates: " + (src / "templates").string() + "\n"
                  "staff: [" + std::string(kStaff) + "]\n"
                  "mailboxes:\n"
                  "  - name: passlogic\n    url: maildir:Maildir/passlogic\n    desk: passlogic-cloud\n"
                  "    first_run_cutoff: 36500d\n"
                  "  - name: reseller\n    url: maildir:Maildir/reseller\n    desk: layerx-saas\n"
                  "    first_run_cutoff: 36500d\n"
                  "smtp:\n  url: dir:sent\n");
    run_once();
  }
  ~Deployment() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void run_once() const {
    const auto r = run_madoguchi({"run", "--once", "--config", config.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  }

  // `madoguchi ticket <args…> --config <config>`.
  CommandResult ticket(std::vector<std::string> args, const std::string& stdin_data = "") const {
    args.insert(args.begin(), "ticket");
    args.push_back("--config");
    args.push_back(config.string());
    return run_madoguchi(args, stdin_data);
  }

  nlohmann::json list_json(std::vector<std::string> filters = {}) const {
    filters.insert(filters.begin(), {"list", "--json"});
    const auto r = ticket(filters);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return nlohmann::json::parse(r.output);
  }

  // number -> status, from `ticket list --json`.
  std::map<std::string, std::string> statuses() const {
    std::map<std::string, std::string> out;
    for (const auto& row : list_json()) out[row["number"]] = row["status"];
    return out;
  }

  std::set<std::string> sent_files() const {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(sent, ec))
      if (e.path().extension() == ".eml") out.insert(e.path().filename().string());
    return out;
  }
};

std::vector<std::string> numbers(const nlohmann::json& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r["number"]);
  return out;
}

struct SentMail {
  std::vector<std::string> rcpt_to;
  madoguchi::parsers::ParsedMail mail;
  std::string raw;
};

SentMail read_sent(const Deployment& d, const std::string& eml_name) {
  const fs::path eml = d.sent / eml_name;
  SentMail m;
  m.raw = slurp(eml);
  m.mail = madoguchi::parsers::parse_mail(m.raw);
  const auto env = nlohmann::json::parse(slurp(fs::path(eml).replace_extension(".json")));
  for (const auto& r : env["rcpt_to"]) m.rcpt_to.push_back(r);
  return m;
}

// The mails the next `run --once` writes to the sink.
std::vector<SentMail> sent_by_next_run(const Deployment& d) {
  const auto before = d.sent_files();
  d.run_once();
  std::vector<SentMail> out;
  for (const auto& f : d.sent_files())
    if (!before.count(f)) out.push_back(read_sent(d, f));
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("ticket cli: list as a table and as JSON, filtered by desk, status, tenant and overdue") {
  Deployment d;
  const auto all = d.list_json();
  REQUIRE_MESSAGE(all.size() == 8, all.dump(2));
  // Newest first.
  CHECK(numbers(all) == std::vector<std::string>{"MG-000008", "MG-000007", "MG-000006", "MG-000005",
                                                 "MG-000004", "MG-000003", "MG-000002", "MG-000001"});
  const auto& t2 = all[6];
  CHECK(t2["desk"] == "passlogic-cloud");
  CHECK(t2["tenant"] == "sakura-giken");
  CHECK(t2["requester"] == kCustomer);
  CHECK(t2["status"] == "open");
  CHECK(t2["flagged"] == false);
  CHECK(t2["subject"] == "ワンタイムパスワードのトークン再発行手順について");
  CHECK(t2["received_at"] == "2026-11-20T10:32:05+09:00");
  CHECK(t2["accepted_at"] == "2026-11-20T10:32:05+09:00");
  // One business day later: Monday 11/23 is 勤労感謝の日, so Tuesday.
  CHECK(t2["first_response_due"] == "2026-11-24T10:32:05+09:00");
  CHECK(t2["outcome"] == "in_scope");
  CHECK(t2["rule"] == "");
  const auto& t5 = all[3];
  CHECK(t5["flagged"] == true);
  CHECK(t5["outcome"] == "out_of_scope");
  CHECK(t5["rule"] == "PL_OUT_05_SETTINGS_ON_BEHALF");
  // Saturday night at layerx-saas: accepted at the next opening, due a business day later.
  const auto& t8 = all[0];
  CHECK(t8["desk"] == "layerx-saas");
  CHECK(t8["tenant"] == "minato-shoji");
  CHECK(t8["received_at"] == "2026-11-21T22:15:09+09:00");
  CHECK(t8["accepted_at"] == "2026-11-24T09:00:00+09:00");
  CHECK(t8["first_response_due"] == "2026-11-25T09:00:00+09:00");
  CHECK(t8["subject"] == "【保守ID：ＬＸ－２０２５－００４２】管理コンソールの表示について");
  for (const char* closed : {"MG-000003", "MG-000004", "MG-000007"}) {
    INFO(closed);
    CHECK(d.statuses()[closed] == "closed");
  }

  // The table: a header, one line per ticket with the flag mark, a count.
  const auto table = d.ticket({"list"});
  REQUIRE_MESSAGE(table.exit_code == 0, table.output);
  CHECK(table.output.rfind("number      status            flag  desk ", 0) == 0);
  CHECK_MESSAGE(contains(table.output, "\nMG-000002   open                    passlogic-cloud  "
                                       "2026-11-24T10:32:05+09:00  it-admin@sakura-giken.co.jp  "
                                       "ワンタイムパスワードのトークン再発行手順について\n"),
                table.output);
  CHECK(contains(table.output, "\nMG-000005   open              !     passlogic-cloud  2026-11-24T14:10:00+09:00  "));
  CHECK(contains(table.output, "\nMG-000007   closed                  layerx-saas      "));
  CHECK(contains(table.output, "\n8 ticket(s)\n"));

  // Filters, alone and together.
  CHECK(numbers(d.list_json({"--desk", "layerx-saas"})) == std::vector<std::string>{"MG-000008", "MG-000007"});
  CHECK(numbers(d.list_json({"--status", "closed"})) ==
        std::vector<std::string>{"MG-000007", "MG-000004", "MG-000003"});
  CHECK(numbers(d.list_json({"--status", "closed", "--desk", "passlogic-cloud"})) ==
        std::vector<std::string>{"MG-000004", "MG-000003"});
  CHECK(numbers(d.list_json({"--tenant", "minato-shoji"})) == std::vector<std::string>{"MG-000008", "MG-000007"});
  CHECK(d.list_json({"--tenant", "no-such-tenant"}).empty());
  CHECK(d.list_json({"--desk", "votiro"}).empty());
  const auto open = numbers(d.list_json({"--status", "open"}));
  for (const char* n : {"MG-000001", "MG-000002", "MG-000005", "MG-000006"})
    CHECK_MESSAGE(std::count(open.begin(), open.end(), n) == 1, n);
  for (const auto& row : d.list_json({"--status", "open"})) CHECK(row["status"] == "open");
  const auto sakura_table = d.ticket({"list", "--tenant", "sakura-giken"});
  CHECK(contains(sakura_table.output, "\n5 ticket(s)\n"));  // 1, 2, 3 (non-admin of the tenant), 5, 6
  CHECK(!contains(sakura_table.output, "minato-shoji"));

  // Overdue: not closed, no staff reply yet, due time passed. The June 2025 question always
  // is; the closed tickets never are; the rest depend on today's date.
  const auto now = std::chrono::system_clock::now();
  const auto overdue = numbers(d.list_json({"--overdue"}));
  CHECK(std::count(overdue.begin(), overdue.end(), "MG-000001") == 1);
  for (const auto& row : all) {
    const std::string n = row["number"];
    const auto due = madoguchi::rules::parse_iso8601(std::string(row["first_response_due"]));
    REQUIRE(due);
    const bool expected = row["status"] != "closed" && *due < now;
    INFO(n);
    CHECK(std::count(overdue.begin(), overdue.end(), n) == (expected ? 1 : 0));
  }
  // A staff reply takes the ticket off the overdue list.
  REQUIRE(d.ticket({"reply", "MG-000001", "--text", "設定画面の［ログ］から変更できます。"}).exit_code == 0);
  const auto after = numbers(d.list_json({"--overdue"}));
  CHECK(std::count(after.begin(), after.end(), "MG-000001") == 0);
  CHECK(d.statuses()["MG-000001"] == "waiting_customer");
}

TEST_CASE("ticket cli: show prints the ticket, its messages, decisions, due times, outgoing mail and history") {
  Deployment d;
  // 2, MG-000002 and the subject tag all name the same ticket.
  const auto r = d.ticket({"show", "MG-000002"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(d.ticket({"show", "2"}).output == r.output);
  CHECK(d.ticket({"show", "[#MG-000002-abc]"}).output == r.output);
  const std::string& o = r.output;
  INFO(o);
  CHECK(o.rfind("ticket      MG-000002\n"
                "desk        passlogic-cloud\n"
                "tenant      sakura-giken\n"
                "requester   it-admin@sakura-giken.co.jp (佐藤 健一)\n"
                "subject     ワンタイムパスワードのトークン再発行手順について\n"
                "status      open (未回答)\n"
                "decision    in_scope (サポート対象) rule=- reason=-\n"
                "received    2026-11-20T10:32:05+09:00\n"
                "accepted    2026-11-20T10:32:05+09:00\n"
                "due         2026-11-24T10:32:05+09:00\n",
                0) == 0);
  CHECK(!contains(o, "closed      "));
  // Both messages: the question and the customer's follow-up, with their decisions.
  // Each with its direction, author, state and text (neutralised, indented).
  CHECK(contains(o, "\nmessages (original bytes: madoguchi ticket show MG-000002 --raw N)\n  [1] "));
  CHECK(contains(o, "  [1] 2026-11-20T10:32:05+09:00  from customer it-admin@sakura-giken.co.jp  ticketed  "
                    "[eligible, in_scope]  message #"));
  CHECK(contains(o, "      Subject: ワンタイムパスワードのトークン再発行手順について\n"));
  CHECK(contains(o, "  [2] 2026-11-20T16:45:30+09:00  from customer it-admin@sakura-giken.co.jp  ticketed  "
                    "[eligible, in_scope]  message #"));
  CHECK(contains(o, "      Subject: Re: ワンタイムパスワードのトークン再発行手順について\n"));
  CHECK(contains(o, "\n      | "));
  CHECK(contains(o, "  acknowledgement (ack_received) to it-admin@sakura-giken.co.jp  sent "));
  CHECK(contains(o, " after 1 attempt(s)"));
  // --raw N: the original bytes of message N, as stored.
  const auto raw = d.ticket({"show", "MG-000002", "--raw", "2"});
  CHECK(raw.exit_code == 0);
  CHECK(contains(raw.output, "Message-ID: <20261120164530.8A01@sakura-giken.co.jp>"));
  CHECK(d.ticket({"show", "MG-000002", "--raw", "3"}).exit_code == 1);
  CHECK(d.ticket({"show", "MG-000002", "--raw", "0"}).exit_code == 2);
  CHECK(contains(o, "  staff_notice (staff_new_ticket) to staff@passlogic-cloud.example.jp  sent"));
  CHECK(contains(o, "  staff_notice (staff_follow_up) to staff@passlogic-cloud.example.jp  sent"));
  CHECK(contains(o, "  system  ticket_opened  in_scope\n"));
  CHECK(contains(o, "  customer  customer_follow_up  message "));

  // A flagged out-of-scope ticket shows its rule; a queued one its later acceptance.
  const auto flagged = d.ticket({"show", "5"});
  CHECK(contains(flagged.output, "\nstatus      open (未回答)  (flagged for staff)\n"));
  CHECK(contains(flagged.output, "\ndecision    out_of_scope (サポート対象外) rule=PL_OUT_05_SETTINGS_ON_BEHALF reason="));
  CHECK(contains(flagged.output, "  system  ticket_opened  out_of_scope rule=PL_OUT_05_SETTINGS_ON_BEHALF\n"));
  const auto queued = d.ticket({"show", "MG-000008"});
  CHECK(contains(queued.output, "\ndesk        layerx-saas\n"));
  CHECK(contains(queued.output, "\nreceived    2026-11-21T22:15:09+09:00\n"
                                "accepted    2026-11-24T09:00:00+09:00\n"
                                "due         2026-11-25T09:00:00+09:00\n"));
  // A closed one its closing time and reason.
  const auto closed = d.ticket({"show", "MG-000004"});
  CHECK(contains(closed.output, "\nstatus      closed (完了)\n"));
  CHECK(contains(closed.output, "\nclosed      "));
}

TEST_CASE("ticket cli: note, reply, status, close and reopen change the ticket and the mail the customer gets") {
  Deployment d;
  const std::string note = "社内メモ：INT-42 旧バージョンのまま。顧客には伏せること。";
  const std::string reply_text =
      "佐藤様\n\n管理画面の［ユーザー管理］→［トークン］からソフトウェアトークンを再発行できます。\n";

  // An internal note, read from stdin: recorded, nothing queued, status unchanged.
  const auto before_note = d.sent_files();
  auto r = d.ticket({"note", "MG-000002", "--file", "-", "--as", "staff:suzuki"}, note);
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(contains(r.output, "MG-000002: note recorded (internal, never sent)"));
  CHECK(d.statuses()["MG-000002"] == "open");
  CHECK(sent_by_next_run(d).empty());
  CHECK(d.sent_files() == before_note);
  CHECK(contains(d.ticket({"show", "2"}).output, "  staff:suzuki  note  " + note));

  // A reply from a file: queued now, written to the sink by the next run, in the desk's
  // reply template, on the ticket's thread, without the note.
  write(d.dir / "reply.txt", reply_text);
  r = d.ticket({"reply", "MG-000002", "--file", (d.dir / "reply.txt").string(), "--as", "staff:suzuki"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(contains(r.output, "MG-000002: reply queued; a running madoguchi daemon sends it within 2 s"));
  CHECK(d.statuses()["MG-000002"] == "waiting_customer");
  auto mails = sent_by_next_run(d);
  REQUIRE(mails.size() == 1);
  {
    const auto& m = mails[0];
    CHECK(m.rcpt_to == std::vector<std::string>{kCustomer});
    CHECK(m.mail.to.size() == 1);
    CHECK(m.mail.subject.rfind("[#MG-000002-", 0) == 0);
    CHECK(contains(m.mail.subject, "Re: ワンタイムパスワードのトークン再発行手順について"));
    CHECK_MESSAGE(contains(m.mail.text, "管理画面の［ユーザー管理］→［トークン］からソフトウェアトークンを再発行できます。"),
                  m.mail.text);
    CHECK(contains(m.mail.text, "佐藤 健一 様"));                   // the template's header
    CHECK(contains(m.mail.text, "受付番号 MG-000002"));
    CHECK(contains(m.mail.text, "平日 10:00〜17:00"));             // the desk's hours
    CHECK(!contains(m.mail.text, "INT-42"));
    CHECK(!contains(m.mail.text, "社内メモ"));
    CHECK(m.mail.in_reply_to == "20261120164530.8A01@sakura-giken.co.jp");  // the follow-up
    CHECK(m.mail.auto_submitted.empty());                          // a person's reply
  }
  const auto shown = d.ticket({"show", "MG-000002"}).output;
  CHECK(contains(shown, "  staff_reply (staff_reply) to it-admin@sakura-giken.co.jp  sent "));
  CHECK(contains(shown, "  staff:suzuki  staff_reply_sent  "));
  CHECK(contains(shown, "  staff:suzuki  status_changed  open -> waiting_customer\n"));

  // Status: investigating, recorded with the actor; no mail for a status change here.
  r = d.ticket({"status", "MG-000002", "investigating", "--as", "staff:suzuki"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(d.statuses()["MG-000002"] == "investigating");
  CHECK(contains(d.ticket({"show", "2"}).output, "  staff:suzuki  status_changed  waiting_customer -> investigating\n"));
  CHECK(sent_by_next_run(d).empty());
  // Closing is not a status: `status … closed` is refused and changes nothing.
  r = d.ticket({"status", "MG-000002", "closed"});
  CHECK(r.exit_code == 2);
  CHECK(d.statuses()["MG-000002"] == "investigating");

  // Close with an invalid reason: exit 2 naming the valid reasons; nothing changes.
  r = d.ticket({"close", "MG-000002", "--reason", "done"});
  CHECK(r.exit_code == 2);
  for (const char* reason : {"answered_spec", "answered_howto", "resolved", "workaround", "defect_located",
                             "no_progress", "transient", "not_a_defect", "out_of_scope", "agreed"})
    CHECK_MESSAGE(contains(r.output, reason), reason << "\n" << r.output);
  CHECK(d.statuses()["MG-000002"] == "investigating");
  CHECK(d.ticket({"close", "MG-000002"}).exit_code == 2);  // --reason is required

  // Close: closed with the reason, the closing notice to the customer.
  r = d.ticket({"close", "MG-000002", "--reason", "answered_spec", "--as", "staff:suzuki"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(d.statuses()["MG-000002"] == "closed");
  // Closing again is refused (as reopening an open ticket is), and sends no second notice.
  const auto again = d.ticket({"close", "MG-000002", "--reason", "resolved"});
  CHECK(again.exit_code == 1);  // refused: 1; 2 is for usage errors
  CHECK(contains(again.output, "already closed"));
  mails = sent_by_next_run(d);
  REQUIRE(mails.size() == 1);
  {
    const auto& m = mails[0];
    CHECK(m.rcpt_to == std::vector<std::string>{kCustomer});
    CHECK(m.mail.subject.rfind("[#MG-000002-", 0) == 0);
    CHECK(contains(m.mail.subject, "お問い合わせ対応完了のお知らせ"));
    CHECK_MESSAGE(contains(m.mail.text, "完了理由：仕様についてご回答いたしました"), m.mail.text);
    CHECK(contains(m.mail.text, "受付番号：MG-000002"));
    CHECK(m.mail.auto_submitted == "auto-generated");
    CHECK(!contains(m.mail.text, "INT-42"));
  }
  const auto closed = d.ticket({"show", "2"}).output;
  CHECK(contains(closed, "\nstatus      closed (完了)\n"));
  CHECK(contains(closed, " (answered_spec)\n"));
  CHECK(contains(closed, "  staff:suzuki  ticket_closed  answered_spec\n"));
  CHECK(contains(closed, "closing_notice (closed_answered_spec) to it-admin@sakura-giken.co.jp  sent"));

  // Reopen: open again; reopening an open ticket is refused.
  r = d.ticket({"reopen", "MG-000002", "--as", "staff:suzuki"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(d.statuses()["MG-000002"] == "open");
  CHECK(contains(d.ticket({"show", "2"}).output, "  staff:suzuki  ticket_reopened  closed -> open\n"));
  r = d.ticket({"reopen", "MG-000002"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "madoguchi ticket reopen: ticket is not closed"));

  // The other tickets were not touched.
  const auto st = d.statuses();
  CHECK(st.at("MG-000003") == "closed");
  CHECK(st.at("MG-000005") == "open");
  CHECK(st.at("MG-000006") == "open");

  // No mail to the customer, ever, carries the internal note (the raw bytes are checked
  // through the parser: bodies may be base64).
  int to_customer = 0;
  for (const auto& f : d.sent_files()) {
    const auto m = read_sent(d, f);
    if (std::count(m.rcpt_to.begin(), m.rcpt_to.end(), std::string(kStaff))) continue;
    ++to_customer;
    INFO(f);
    CHECK(!contains(m.mail.text, "INT-42"));
    CHECK(!contains(m.mail.text, "社内メモ"));
    CHECK(!contains(m.raw, "INT-42"));
  }
  CHECK(to_customer >= 3);  // at least the acknowledgement, the reply and the closing notice
}

TEST_CASE("ticket cli: refuse sends the rule's refusal with its reason and citation, close out_of_scope names them too") {
  Deployment d;
  // MG-000005: flagged by PL_OUT_05_SETTINGS_ON_BEHALF, still open.
  auto r = d.ticket({"refuse", "MG-000005", "--rule", "PL_IN_NO_SUCH_RULE"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "has no rule PL_IN_NO_SUCH_RULE"));
  CHECK(d.statuses()["MG-000005"] == "open");
  r = d.ticket({"refuse", "MG-000005", "--as", "staff:suzuki"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(contains(r.output, "MG-000005: closed (out_of_scope); refusal queued"));
  CHECK(d.statuses()["MG-000005"] == "closed");
  auto mails = sent_by_next_run(d);
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].rcpt_to == std::vector<std::string>{kCustomer});
  CHECK_MESSAGE(contains(mails[0].mail.text, "対象外の理由：本サービスの設定代行"), mails[0].mail.text);
  CHECK(contains(mails[0].mail.text, "該当する規定：passlogic §4 対象外 5"));
  CHECK(contains(mails[0].mail.text, "株式会社さくら技研"));
  CHECK(d.ticket({"refuse", "MG-000005"}).exit_code == 1);  // already closed
  CHECK(contains(d.ticket({"show", "5"}).output, "  staff:suzuki  ticket_closed  out_of_scope\n"));
  // Reopened and closed again as out of scope: the closing notice names the rule's reason too.
  REQUIRE(d.ticket({"reopen", "MG-000005"}).exit_code == 0);
  REQUIRE(d.ticket({"close", "MG-000005", "--reason", "out_of_scope"}).exit_code == 0);
  mails = sent_by_next_run(d);
  REQUIRE(mails.size() == 1);
  CHECK(contains(mails[0].mail.text, "対象外の理由：本サービスの設定代行"));
  CHECK(contains(mails[0].mail.text, "該当する規定：passlogic §4 対象外 5"));

  // An in-scope ticket has no out-of-scope rule to refuse by: refused, unless one is named.
  r = d.ticket({"refuse", "MG-000002"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "decided by no rule"));
  CHECK(d.ticket({"refuse", "MG-000002", "--rule", "PL_OUT_05_SETTINGS_ON_BEHALF"}).exit_code == 0);
  mails = sent_by_next_run(d);
  REQUIRE(mails.size() == 1);
  CHECK(contains(mails[0].mail.text, "該当する規定：passlogic §4 対象外 5"));
}

TEST_CASE("ticket cli: an unknown ticket exits 1 naming it, bad usage exits 2") {
  Deployment d;
  const auto before = d.statuses();
  const std::vector<std::vector<std::string>> unknown = {
      {"show", "MG-000099"},
      {"reply", "MG-000099", "--text", "こんにちは"},
      {"note", "99", "--text", "メモ"},
      {"status", "MG-000099", "investigating"},
      {"close", "MG-000099", "--reason", "resolved"},
      {"reopen", "MG-000099"}};
  for (const auto& args : unknown) {
    const auto r = d.ticket(args);
    INFO(args[0] << ": " << r.output);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "madoguchi ticket " + args[0] + ": no ticket MG-000099"));
  }

  const std::vector<std::vector<std::string>> usage = {
      {},                                                    // no ticket subcommand
      {"frobnicate"},                                        // unknown subcommand
      {"show"},                                              // number missing
      {"reply", "MG-000002"},                                // empty reply text
      {"note", "MG-000002"},                                 // empty note text
      {"reply", "MG-000002", "--text", "a", "--file", "f"},  // --text excludes --file
      {"status", "MG-000002"},                               // status missing
      {"status", "MG-000002", "finished"},                   // not a status
      {"close", "MG-000002", "--reason", "bogus"},
      {"list", "--status", "done"},
      {"list", "--no-such-option"},
      {"show", "99999999999999999999999"},                   // beyond any ticket number (aborted once)
      {"close", "99999999999999999999999", "--reason", "resolved"}};
  for (const auto& args : usage) {
    const auto r = d.ticket(args);
    INFO((args.empty() ? std::string("(none)") : args[0]) << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(!r.output.empty());
  }
  CHECK(contains(d.ticket({"reply", "MG-000002"}).output, "the reply text is empty"));
  CHECK(contains(d.ticket({"status", "MG-000002", "finished"}).output, "finished"));
  const auto missing = d.ticket({"reply", "MG-000002", "--file", (d.dir / "no-such-file.txt").string()});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.output, "no-such-file.txt"));

  // None of that changed a ticket or queued a mail.
  CHECK(d.statuses() == before);
  CHECK(sent_by_next_run(d).empty());

  // A configuration that does not exist: exit 1 naming it.
  const auto noconf = run_madoguchi({"ticket", "list", "--config", (d.dir / "nope.yaml").string()});
  CHECK(noconf.exit_code == 1);
  CHECK(contains(noconf.output, "nope.yaml"));
}

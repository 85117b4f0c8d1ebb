// `madoguchi calendar …` on the real binary (SPEC.md §7, §11): the national holidays of a
// year, a desk's next opening, a due time N business hours/days later and a month of a
// desk's calendar, on the shipped desks (passlogic-cloud 10:00-17:00, layerx-saas
// 9:00-17:00, both closed on weekends, holidays and 12/29-1/3); exit 2 for bad option
// values, 1 for an unknown desk.
#include <doctest/doctest.h>

#include "daemon_process.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using madoguchi::testing::CommandResult;
using madoguchi::testing::run_madoguchi;

namespace {

// A main configuration naming the shipped desks, in a fresh temporary directory.
struct CalendarConfig {
  fs::path dir;
  fs::path config;
  CalendarConfig() {
    static std::atomic<int> counter{0};
    dir = fs::temp_directory_path() /
          ("madoguchi-calendar-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    config = dir / "madoguchi.yaml";
    std::ofstream(config) << "store: store\ndesks: " << (src / "config/desks").string()
                          << "\ntenants: " << (src / "config/demo/tenants.yaml").string()
                          << "\ntemplates: " << (src / "templates").string() << "\n";
  }
  ~CalendarConfig() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // `madoguchi calendar <sub> --config <config> <args…>`.
  CommandResult run(const std::string& sub, std::vector<std::string> args) const {
    args.insert(args.begin(), {"calendar", sub, "--config", config.string()});
    return run_madoguchi(args);
  }
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("calendar cli: holidays of 2026, one line per holiday, exactly") {
  const auto r = run_madoguchi({"calendar", "holidays", "--from", "2026"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const std::vector<std::string> expected = {
      "2026-01-01\t元日",         "2026-01-12\t成人の日",     "2026-02-11\t建国記念の日",
      "2026-02-23\t天皇誕生日",   "2026-03-20\t春分の日",     "2026-04-29\t昭和の日",
      "2026-05-03\t憲法記念日",   "2026-05-04\tみどりの日",   "2026-05-05\tこどもの日",
      "2026-05-06\t振替休日",     "2026-07-20\t海の日",       "2026-08-11\t山の日",
      "2026-09-21\t敬老の日",     "2026-09-22\t国民の休日",   "2026-09-23\t秋分の日",
      "2026-10-12\tスポーツの日", "2026-11-03\t文化の日",     "2026-11-23\t勤労感謝の日"};
  CHECK(lines(r.output) == expected);

  // --to: several years in order; 2019's one-off days and 2020's moved Olympic holidays.
  const auto span = run_madoguchi({"calendar", "holidays", "--from", "2019", "--to", "2020"});
  REQUIRE_MESSAGE(span.exit_code == 0, span.output);
  const auto l = lines(span.output);
  REQUIRE(!l.empty());
  CHECK(l.front() == "2019-01-01\t元日");
  CHECK(l.back() == "2020-11-23\t勤労感謝の日");
  CHECK(contains(span.output, "\n2019-04-30\t国民の休日\n2019-05-01\t即位の日\n2019-05-02\t国民の休日\n"));
  CHECK(contains(span.output, "\n2019-10-14\t体育の日\n2019-10-22\t即位礼正殿の儀\n"));
  CHECK(contains(span.output, "\n2020-07-24\tスポーツの日\n"));
  CHECK(contains(span.output, "\n2020-08-10\t山の日\n"));
  CHECK(!contains(span.output, "2020-10-12"));  // スポーツの日 moved to 7/24 that year
  // Both ends of the supported range work.
  CHECK(run_madoguchi({"calendar", "holidays", "--from", "1980"}).exit_code == 0);
  CHECK(lines(run_madoguchi({"calendar", "holidays", "--from", "2099"}).output).front() == "2099-01-01\t元日");
}

TEST_CASE("calendar cli: holidays out of range or without a year exit 2 with a message") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--from", "1979"}, {"--from", "2100"}, {"--from", "2026", "--to", "2100"},
        {"--from", "2027", "--to", "2026"}, {"--from", "twenty"}, {}}) {
    std::vector<std::string> full{"calendar", "holidays"};
    full.insert(full.end(), args.begin(), args.end());
    const auto r = run_madoguchi(full);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(!r.output.empty());
    CHECK(!contains(r.output, "元日"));
  }
  CHECK(contains(run_madoguchi({"calendar", "holidays", "--from", "2100"}).output, "1980-2099"));
  CHECK(contains(run_madoguchi({"calendar", "holidays", "--from", "2027", "--to", "2026"}).output,
                 "--from must not be after --to"));
}

TEST_CASE("calendar cli: next-open skips the weekend, the holiday and the year end") {
  CalendarConfig c;
  auto next_open = [&c](const std::string& desk, const std::string& at) {
    const auto r = c.run("next-open", {"--desk", desk, "--at", at});
    INFO(desk << " " << at << ": " << r.output);
    CHECK(r.exit_code == 0);
    return r.output;
  };
  // Saturday night: Sunday, then Monday 11/23 勤労感謝の日, so Tuesday at the desk's opening.
  CHECK(next_open("passlogic-cloud", "2026-11-21T22:00+09:00") == "2026-11-24T10:00:00+09:00\n");
  CHECK(next_open("passlogic-cloud", "2026-11-21T22:00:00+09:00") == "2026-11-24T10:00:00+09:00\n");
  CHECK(next_open("layerx-saas", "2026-11-21T22:00:00+09:00") == "2026-11-24T09:00:00+09:00\n");
  // The same instant in UTC, and without an offset (= +09:00).
  CHECK(next_open("passlogic-cloud", "2026-11-21T13:00:00Z") == "2026-11-24T10:00:00+09:00\n");
  CHECK(next_open("passlogic-cloud", "2026-11-21T22:00:00") == "2026-11-24T10:00:00+09:00\n");
  // Open now: the instant itself. Before the opening the same day: that opening.
  CHECK(next_open("passlogic-cloud", "2026-11-24T11:00:00+09:00") == "2026-11-24T11:00:00+09:00\n");
  CHECK(next_open("passlogic-cloud", "2026-11-24T08:00:00+09:00") == "2026-11-24T10:00:00+09:00\n");
  // After closing on Friday: Monday.
  CHECK(next_open("layerx-saas", "2026-11-27T17:30:00+09:00") == "2026-11-30T09:00:00+09:00\n");
  // 年末年始 12/29-1/3, then the first Monday of 2027.
  CHECK(next_open("passlogic-cloud", "2026-12-28T18:00:00+09:00") == "2027-01-04T10:00:00+09:00\n");
  // Silver Week 2026: 9/19-9/23 closed (weekend, 敬老の日, 国民の休日, 秋分の日).
  CHECK(next_open("layerx-saas", "2026-09-18T17:00:00+09:00") == "2026-09-24T09:00:00+09:00\n");
}

TEST_CASE("calendar cli: next-open errors: unknown desk exits 1, bad values exit 2") {
  CalendarConfig c;
  auto r = c.run("next-open", {"--desk", "no-such-desk", "--at", "2026-11-21T22:00:00+09:00"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "unknown desk 'no-such-desk'"));
  CHECK(contains(r.output, "passlogic-cloud"));  // the known desks are listed
  r = c.run("next-open", {"--desk", "../passlogic-cloud", "--at", "2026-11-21T22:00:00+09:00"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "invalid desk name"));
  r = c.run("next-open", {"--desk", "passlogic-cloud", "--at", "next saturday"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "is not ISO 8601"));
  r = c.run("next-open", {"--desk", "passlogic-cloud", "--at", "2100-06-01T10:00:00+09:00"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "1980-2099"));
  // The range is by the desk's (Tokyo) date, not the UTC one.
  r = c.run("next-open", {"--desk", "passlogic-cloud", "--at", "2100-01-01T00:00:00+09:00"});
  CHECK_MESSAGE(r.exit_code == 2, r.output);
  CHECK(contains(r.output, "1980-2099"));
  r = c.run("due", {"--desk", "passlogic-cloud", "--at", "2099-12-31T23:30:00-05:00", "--business-hours", "1"});
  CHECK_MESSAGE(r.exit_code == 2, r.output);
  r = c.run("next-open", {"--desk", "passlogic-cloud", "--at", "1980-01-01T05:00:00+09:00"});
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(r.output == "1980-01-04T10:00:00+09:00\n");  // after 元日 and the year end
  r = c.run("next-open", {"--at", "2026-11-21T22:00:00+09:00"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "--desk"));
  r = run_madoguchi({"calendar", "next-open", "--desk", "passlogic-cloud", "--config", (c.dir / "nope.yaml").string()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "nope.yaml"));
}

TEST_CASE("calendar cli: due counts business hours and business days") {
  CalendarConfig c;
  auto due = [&c](const std::string& desk, const std::string& at, const std::string& opt, const std::string& n) {
    const auto r = c.run("due", {"--desk", desk, "--at", at, opt, n});
    INFO(desk << " " << at << " " << opt << " " << n << ": " << r.output);
    CHECK(r.exit_code == 0);
    return r.output;
  };
  // Friday 16:00 + 2 h at 10-17: one hour on Friday, one on Tuesday (Monday is a holiday).
  CHECK(due("passlogic-cloud", "2026-11-20T16:00:00+09:00", "--business-hours", "2") == "2026-11-24T11:00:00+09:00\n");
  // Saturday night + 8 h: Tuesday's 7 hours, then an hour on Wednesday.
  CHECK(due("passlogic-cloud", "2026-11-21T22:00:00+09:00", "--business-hours", "8") == "2026-11-25T11:00:00+09:00\n");
  // Within one day.
  CHECK(due("layerx-saas", "2026-11-24T09:30:00+09:00", "--business-hours", "3") == "2026-11-24T12:30:00+09:00\n");
  CHECK(due("layerx-saas", "2026-11-24T09:30:00+09:00", "--business-hours", "0") == "2026-11-24T09:30:00+09:00\n");
  // One business day after a Friday question: the same time on Tuesday (the tickets' due time).
  CHECK(due("passlogic-cloud", "2026-11-20T10:32:05+09:00", "--business-days", "1") == "2026-11-24T10:32:05+09:00\n");
  // Across the year end: 12/28 is the last open day of 2026, then 1/4.
  CHECK(due("layerx-saas", "2026-12-25T16:30:00+09:00", "--business-days", "2") == "2027-01-04T16:30:00+09:00\n");

  // Exactly one of the two, within limits.
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--business-hours", "2", "--business-days", "1"},
        {"--business-hours", "200000"}, {"--business-days", "20000"}, {"--business-hours", "-3"}}) {
    std::vector<std::string> args{"--desk", "passlogic-cloud", "--at", "2026-11-20T16:00:00+09:00"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = c.run("due", args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(!r.output.empty());
  }
  CHECK(contains(c.run("due", {"--desk", "passlogic-cloud", "--at", "2026-11-20T16:00:00+09:00"}).output,
                 "give exactly one of --business-hours N and --business-days N"));
}

TEST_CASE("calendar cli: show prints a month of a desk's calendar") {
  CalendarConfig c;
  const auto r = c.run("show", {"--desk", "passlogic-cloud", "--month", "2026-11"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto l = lines(r.output);
  REQUIRE(l.size() == 31);  // the heading and 30 days
  // 30 days - 9 weekend days - 文化の日 - 勤労感謝の日.
  CHECK(l[0] == "passlogic-cloud 2026-11: 10:00-17:00 Asia/Tokyo, 19 open days");
  CHECK(l[1] == "2026-11-01 日  closed  日曜日");
  CHECK(l[2] == "2026-11-02 月  open    10:00-17:00");
  CHECK(l[3] == "2026-11-03 火  closed  文化の日");
  CHECK(l[21] == "2026-11-21 土  closed  土曜日");
  CHECK(l[23] == "2026-11-23 月  closed  勤労感謝の日");
  CHECK(l[24] == "2026-11-24 火  open    10:00-17:00");
  CHECK(l[30] == "2026-11-30 月  open    10:00-17:00");

  // December at layerx-saas: 9:00-17:00, 年末年始 from the 29th.
  const auto dec = c.run("show", {"--desk", "layerx-saas", "--month", "2026-12"});
  REQUIRE_MESSAGE(dec.exit_code == 0, dec.output);
  const auto d = lines(dec.output);
  REQUIRE(d.size() == 32);
  // 31 days - 8 weekend days - 12/29, 12/30, 12/31.
  CHECK(d[0] == "layerx-saas 2026-12: 09:00-17:00 Asia/Tokyo, 20 open days");
  CHECK(d[28] == "2026-12-28 月  open    09:00-17:00");
  CHECK(d[29] == "2026-12-29 火  closed  年末年始");
  CHECK(d[31] == "2026-12-31 木  closed  年末年始");

  // Bad months exit 2; an unknown desk 1.
  for (const char* month : {"2026-13", "2026-00", "2026/11", "26-11", "2100-01", "1979-12"}) {
    const auto bad = c.run("show", {"--desk", "passlogic-cloud", "--month", month});
    INFO(month << ": " << bad.output);
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.output, "--month"));
  }
  CHECK(c.run("show", {"--desk", "no-such-desk", "--month", "2026-11"}).exit_code == 1);
}

TEST_CASE("calendar cli: show without --month is this month in Japan, and --config may come before the subcommand") {
  CalendarConfig c;
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(9);
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
  char month[16];
  std::snprintf(month, sizeof month, "%04d-%02u", static_cast<int>(today.year()), static_cast<unsigned>(today.month()));
  const auto r = c.run("show", {"--desk", "passlogic-cloud"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.rfind("passlogic-cloud " + std::string(month) + ": ", 0) == 0);
  const auto before = run_madoguchi({"calendar", "--config", c.config.string(), "show", "--desk", "passlogic-cloud",
                                     "--month", "2026-11"});
  CHECK(before.exit_code == 0);
  CHECK(before.output == c.run("show", {"--desk", "passlogic-cloud", "--month", "2026-11"}).output);
}

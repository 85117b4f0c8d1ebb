// tests/corpus/hostile through the real binary: each mail of an attack of issue 13 is put into
// a Maildir and `madoguchi run --once --summary` runs (directory sink); the summary's action,
// ticket and note, who got mail, and what that mail holds are asserted against the corpus's
// expected.json. The customer's own question (00) comes first, so the others have a target.
#include <doctest/doctest.h>

#include "../integration/deployment.h"
#include "daemon_process.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace madoguchi::testing;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Row {
  std::string action, ticket, note;
};

// The one row of `run --once --summary` (columns are separated by two or more spaces).
std::optional<Row> summary_row(const std::string& output) {
  static const std::regex row(R"(^\d+ {2,}\S+ {2,}\S+ {2,}\S+ {2,}\S+ {2,}\S+ {2,}(\S+) {2,}(\S+) {2,}(\S+))");
  std::istringstream in(output);
  std::optional<Row> found;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) found = Row{m[1], m[2], m[3]};
  }
  return found;
}

}  // namespace

TEST_CASE("hostile corpus: every attack of issue 13 refused or handled as expected.json says") {
  const fs::path src(MADOGUCHI_SOURCE_DIR);
  const fs::path corpus = src / "tests/corpus/hostile";
  const auto expected = nlohmann::json::parse(read(corpus / "expected.json"));
  TempDir dir;
  for (const char* sub : {"new", "cur", "tmp"}) fs::create_directories(dir.path / "Maildir" / sub);
  const fs::path cfg = dir.path / "madoguchi.yaml";
  std::ofstream(cfg) << "store: store\n"
                     << "desks: " << (src / "config/desks").string() << "\n"
                     << "tenants: " << demo_tenants_valid_around(dir.path / "tenants.yaml", wall_clock_now()).string() << "\n"
                     << "templates: " << (src / "templates").string() << "\n"
                     << "staff: [staff@passlogic-cloud.example.jp]\n"
                     << "trusted_authserv_ids: [mx.passlogic-cloud.example.jp]\n"
                     << "log_level: warn\n"
                     << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
                     << "    first_run_cutoff: 36500d\n"
                     << "smtp:\n  url: dir:sent\n";
  std::set<fs::path> seen;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.path().extension() == ".eml") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() == expected.size());
  for (const auto& name : names) {
    const auto& want = expected.at(name);
    INFO(name << " — " << want.at("attack").get<std::string>());
    const fs::path in_box = dir.path / "Maildir/new" / (name + ".hostile");
    fs::copy_file(corpus / name, in_box);
    // Arrival is the file's time: the test's clock (which a faked clock moves), not the kernel's.
    fs::last_write_time(in_box, std::chrono::file_clock::from_sys(wall_clock_now()));
    const auto r = run_madoguchi({"run", "--once", "--summary", "--config", cfg.string()});
    INFO(r.output.substr(0, 4000));
    REQUIRE(r.exit_code == 0);
    const auto row = summary_row(r.output);
    REQUIRE(row);
    CHECK(row->action == want.at("action").get<std::string>());
    CHECK(row->ticket == want.at("ticket").get<std::string>());
    if (want.contains("reply_note")) CHECK(row->note == "(" + want.at("reply_note").get<std::string>() + ")");

    // What left in this run: its recipients, and nothing the attacker wrote.
    std::multiset<std::string> to, want_to;
    for (const auto& r2 : want.at("sent_to")) want_to.insert(r2.get<std::string>());
    std::vector<fs::path> this_run;
    if (fs::exists(dir.path / "sent"))
      for (const auto& e : fs::directory_iterator(dir.path / "sent")) {
        if (e.path().extension() != ".json" || !seen.insert(e.path()).second) continue;
        const auto envelope = nlohmann::json::parse(read(e.path()));
        for (const auto& rcpt : envelope["rcpt_to"]) to.insert(rcpt.get<std::string>());
        auto eml = e.path();
        this_run.push_back(eml.replace_extension(".eml"));
      }
    std::string listing;
    if (fs::exists(dir.path / "sent"))
      for (const auto& e : fs::directory_iterator(dir.path / "sent")) listing += e.path().filename().string() + " ";
    INFO("sent dir: " << listing);
    std::string to_text;
    for (const auto& t : to) to_text += t + " ";
    INFO("sent to: " << to_text);
    CHECK(to == want_to);
    if (want.contains("not_in_sent"))
      for (const auto& s : want["not_in_sent"]) {
        const std::string needle = s.get<std::string>();
        // the decoded text of what this run sent (bodies are base64)
        for (const auto& eml : this_run) {
          const auto m = madoguchi::parsers::parse_mail(read(eml));
          INFO("text: " << m.text.substr(0, 400));
          CHECK_MESSAGE(m.text.find(needle) == std::string::npos, needle);
          CHECK_MESSAGE(m.subject.find(needle) == std::string::npos, needle);
        }
      }
    if (want.contains("max_references")) {
      REQUIRE_FALSE(this_run.empty());
      for (const auto& eml : this_run)
        CHECK(madoguchi::parsers::parse_mail(read(eml)).references.size() <= want["max_references"].get<std::size_t>());
    }
    if (want.contains("parent")) {
      const auto show = run_madoguchi({"ticket", "show", want["ticket"].get<std::string>(), "--config", cfg.string()});
      CHECK(show.output.find("continues   " + want["parent"].get<std::string>()) != std::string::npos);
    }
    if (want.contains("cli_no_escape")) {
      for (const auto& args : std::vector<std::vector<std::string>>{
               {"ticket", "list", "--config", cfg.string()},
               {"ticket", "list", "--json", "--config", cfg.string()},
               {"ticket", "show", want["ticket"].get<std::string>(), "--config", cfg.string()}}) {
        const auto out = run_madoguchi(args);
        CHECK(out.exit_code == 0);
        CHECK(out.output.find('\x1b') == std::string::npos);
        CHECK(out.output.find('\x07') == std::string::npos);
      }
    }
  }
  // After all of it the customer's ticket is open, flagged, and holds no staff reply.
  CHECK(store_count(dir.path / "store/madoguchi.db",
                    "SELECT COUNT(*) FROM tickets WHERE number = 'MG-000001' AND status = 'open' AND flagged = 1") == 1);
  CHECK(store_count(dir.path / "store/madoguchi.db", "SELECT COUNT(*) FROM ticket_events WHERE event = 'staff_reply_sent'") == 0);
}

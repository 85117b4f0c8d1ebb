// The logger: addresses masked by default, and the README's event table is the catalog.
#include <doctest/doctest.h>

#include "daemon/log/log.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace madoguchi::daemon;

TEST_CASE("addresses are masked in logs by default") {
  init_logging("error", true);
  CHECK(mask_address("taro@example.co.jp") == "t***@example.co.jp");
  CHECK(mask_address("@example.co.jp") == "***@example.co.jp");
  CHECK(mask_address("no-at-sign") == "***");
  CHECK(mask_address("") == "");
  init_logging("error", false);
  CHECK(mask_address("taro@example.co.jp") == "taro@example.co.jp");
  init_logging("error", true);
}

TEST_CASE("the catalog names every event once, with a group and a meaning") {
  std::set<std::string_view> names;
  for (const auto& e : event_catalog()) {
    CHECK(names.insert(e.name).second);
    CHECK(to_string(e.event) == e.name);
    CHECK_FALSE(e.group.empty());
    CHECK_FALSE(e.meaning.empty());
  }
  CHECK(to_string(Event::mail_stored) == "mail_stored");
}

// The README's table between <!-- events:begin --> and <!-- events:end -->, one row
// `| \`name\` | group | meaning |` per event.
TEST_CASE("the README's event table equals the event catalog") {
  std::ifstream in(std::string(MADOGUCHI_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::string line;
  bool inside = false;
  std::vector<std::string> rows;
  while (std::getline(in, line)) {
    if (line.find("<!-- events:begin -->") != std::string::npos) inside = true;
    else if (line.find("<!-- events:end -->") != std::string::npos) inside = false;
    else if (inside && line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  std::vector<std::string> expected;
  std::ostringstream table;
  for (const auto& e : event_catalog()) {
    expected.push_back("| `" + std::string(e.name) + "` | " + std::string(e.group) + " | " +
                       std::string(e.meaning) + " |");
    table << expected.back() << '\n';
  }
  INFO("the README's table should read:\n", table.str());
  CHECK(rows == expected);
}

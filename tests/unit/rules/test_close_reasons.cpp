// The completion reasons a ticket closes with: one list, with a Japanese text for each.
#include <doctest/doctest.h>

#include "rules/close_reasons.h"

#include <string>
#include <vector>

using namespace madoguchi::rules;

TEST_CASE("closing reasons are exactly the seeds' completion conditions") {
  std::vector<std::string> names;
  for (const auto& r : close_reasons()) names.emplace_back(r.name);
  CHECK(names == std::vector<std::string>{"answered_spec", "answered_howto", "resolved", "workaround",
                                          "defect_located", "no_progress", "transient", "not_a_defect",
                                          "out_of_scope", "agreed"});
  for (const auto& r : close_reasons()) {
    CHECK(parse_close_reason(r.name) == r.reason);
    CHECK(to_string(r.reason) == r.name);
    CHECK(japanese_text(r.reason).find("いたしま") != std::string_view::npos);  // polite, in Japanese
  }
  CHECK_FALSE(parse_close_reason("done").has_value());
  CHECK_FALSE(parse_close_reason("").has_value());
}

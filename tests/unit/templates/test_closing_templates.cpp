// The closed_<reason> notices follow the one list of closing reasons (rules/close_reasons.h).
#include <doctest/doctest.h>

#include "rules/close_reasons.h"
#include "templates/variables.h"

#include <algorithm>
#include <string>
#include <vector>

TEST_CASE("every closing reason has its closed_<reason> template name, and no other") {
  std::vector<std::string> names;
  for (const auto& r : madoguchi::rules::close_reasons()) names.emplace_back(r.name);
  CHECK(madoguchi::templates::closing_reasons() == names);
  const auto& all = madoguchi::templates::template_names();
  for (const auto& n : names) CHECK(std::count(all.begin(), all.end(), "closed_" + n) == 1);
}

#include <doctest/doctest.h>

#include "templates/renderer.h"

using namespace madoguchi::templates;

TEST_CASE("render: plain text, no HTML escaping") {
  auto r = render("{{name}}様\n<{{addr}}> & {{x}}", {{"name", "山田"}, {"addr", "a@b"}, {"x", "<&>"}});
  REQUIRE(r.ok);
  CHECK(r.text == "山田様\n<a@b> & <&>");
}

TEST_CASE("render: empty value hides a section, set value shows it") {
  const char* t = "受付{{#next_open}}は{{next_open}}{{/next_open}}です";
  CHECK(render(t, {{"next_open", ""}}).text == "受付です");
  CHECK(render(t, {{"next_open", "11月24日(火) 10:00"}}).text == "受付は11月24日(火) 10:00です");
}

TEST_CASE("render: syntax error is reported, not thrown") {
  auto r = render("{{#open}} never closed", {});
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
}

TEST_CASE("template_variables lists each name once") {
  auto v = template_variables("{{a}} {{#b}}{{c}}{{/b}} {{ a }} {{! comment}}");
  CHECK(v == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("render: a list of rows repeats its section, an empty list shows the inverted one") {
  const char* t = "{{#tickets}}- {{ticket_number}} {{original_subject}}{{#flagged}}!{{/flagged}}\n{{/tickets}}"
                  "{{^tickets}}なし\n{{/tickets}}計{{ticket_count}}件";
  Values v{{"ticket_count", "2"}};
  v.lists["tickets"] = {{{"ticket_number", "MG-1"}, {"original_subject", "件名A"}, {"flagged", ""}},
                        {{"ticket_number", "MG-2"}, {"original_subject", "件名B"}, {"flagged", "要確認"}}};
  CHECK(render(t, v).text == "- MG-1 件名A\n- MG-2 件名B!\n計2件");
  v.lists["tickets"].clear();
  v.insert_or_assign("ticket_count", std::string("0"));  // operator= of a literal trips GCC 12 -Wrestrict at -O2
  CHECK(render(t, v).text == "なし\n計0件");
}

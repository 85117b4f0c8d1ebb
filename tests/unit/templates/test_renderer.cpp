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

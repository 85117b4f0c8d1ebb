#include <doctest/doctest.h>

#include "rules/config_reader.h"

using madoguchi::rules::ConfigReader;

TEST_CASE("config reader: syntax error carries 1-based file:line:column") {
  ConfigReader r("desk.yaml");
  auto n = r.parse("a: 1\nb: [1, 2\n");
  CHECK_FALSE(n.has_value());
  REQUIRE(r.errors().size() == 1);
  CHECK(r.errors()[0].file == "desk.yaml");
  CHECK(r.errors()[0].line >= 2);
  CHECK(r.errors()[0].to_string().rfind("desk.yaml:", 0) == 0);
}

TEST_CASE("config reader: duplicate keys are errors at the second key") {
  ConfigReader r("t.yaml");
  auto n = r.parse("a: 1\nsub:\n  x: 1\n  x: 2\na: 3\n");
  REQUIRE(n.has_value());
  REQUIRE(r.errors().size() == 2);
  CHECK(r.errors()[0].to_string() == "t.yaml:4:3: duplicate key 'x'");
  CHECK(r.errors()[1].to_string() == "t.yaml:5:1: duplicate key 'a'");
}

TEST_CASE("config reader: unknown keys and wrong types") {
  ConfigReader r("m.yaml");
  auto n = r.parse("store: /var\nstroe: x\ncount: abc\nflag: maybe\nlist: {a: 1}\n");
  REQUIRE(n.has_value());
  r.check_keys(*n, {"store", "count", "flag", "list"});
  CHECK(r.integer(*n, "count") == std::nullopt);
  CHECK(r.boolean(*n, "flag") == std::nullopt);
  CHECK(r.string_list(*n, "list").empty());
  CHECK(r.string(*n, "missing", true) == std::nullopt);
  REQUIRE(r.errors().size() == 5);
  CHECK(r.errors()[0].to_string().rfind("m.yaml:2:1: unknown key 'stroe'", 0) == 0);
  CHECK(r.errors()[1].to_string() == "m.yaml:3:8: 'count' must be an integer");
}

TEST_CASE("config reader: typed reads") {
  ConfigReader r("ok.yaml");
  auto n = r.parse("s: hello\ni: 42\nb: yes\nl: [a, b]\none: c\n");
  REQUIRE(n.has_value());
  CHECK(r.string(*n, "s") == "hello");
  CHECK(r.integer(*n, "i") == 42);
  CHECK(r.boolean(*n, "b") == true);
  CHECK(r.string_list(*n, "l") == std::vector<std::string>{"a", "b"});
  CHECK(r.string_list(*n, "one") == std::vector<std::string>{"c"});
  CHECK(r.ok());
}

TEST_CASE("parse_duration") {
  using madoguchi::rules::parse_duration;
  CHECK(parse_duration("7d") == std::chrono::seconds(7 * 86400));
  CHECK(parse_duration("90m") == std::chrono::seconds(5400));
  CHECK(parse_duration("15") == std::chrono::seconds(15));
  CHECK_FALSE(parse_duration("d").has_value());
  CHECK_FALSE(parse_duration("-1h").has_value());
  CHECK_FALSE(parse_duration("1w").has_value());
}

TEST_CASE("config reader: an alias bomb is refused at the alias, ordinary aliases load") {
  // Nine levels of nine aliases: 9^9 nodes when expanded, a few hundred bytes of text.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    const char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  ConfigReader r("bomb.yaml");
  CHECK_FALSE(r.parse(bomb).has_value());
  REQUIRE(r.errors().size() == 1);
  const auto& e = r.errors()[0];
  CHECK(e.to_string().rfind("bomb.yaml:", 0) == 0);
  CHECK(e.line >= 6);  // at an alias of a deep level, not at the top
  CHECK(e.message.find("alias") != std::string::npos);

  ConfigReader ok("ok.yaml");
  auto root = ok.parse("base: &b {open: 9, close: 17}\nweekday: *b\nsaturday: *b\n");
  REQUIRE(root);
  CHECK(ok.errors().empty());
  CHECK((*root)["saturday"]["close"].as<int>() == 17);
}

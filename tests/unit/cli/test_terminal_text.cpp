// What the CLI prints of a stranger's text: no escape sequence reaches the terminal.
#include <doctest/doctest.h>

#include "daemon/cli/terminal_text.h"

#include <nlohmann/json.hpp>

using namespace madoguchi::daemon;

TEST_CASE("printable: controls, C1 and bidi overrides become U+FFFD, Japanese stays") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(printable("ログインできません") == "ログインできません");
  CHECK(printable("a\x1b]52;c;ZXZpbA==\x07z") == "a" + fffd + "]52;c;ZXZpbA==" + fffd + "z");  // OSC 52
  CHECK(printable("x\x1b[2Jy") == "x" + fffd + "[2Jy");                                      // CSI
  CHECK(printable("\xC2\x9B" "31m") == fffd + "31m");                                        // 8-bit CSI in UTF-8
  CHECK(printable("abc\xE2\x80\xAEgpj.exe") == "abc" + fffd + "gpj.exe");                     // RLO
  CHECK(printable("line\nbreak\ttab\x7f") == "line" + fffd + "break" + fffd + "tab" + fffd);
  CHECK(printable("\xE2\x80\x94 dash") == "\xE2\x80\x94 dash");  // other U+20xx are fine
}

TEST_CASE("printable_json: the same characters escaped, the JSON still equal") {
  const nlohmann::json j{{"subject", "x\x1b[2J\xC2\x9B\xE2\x81\xA6y"}, {"n", 1}};
  const std::string dumped = j.dump(2);
  const std::string safe = printable_json(dumped);
  CHECK(safe.find('\x1b') == std::string::npos);
  CHECK(safe.find("\xC2\x9B") == std::string::npos);
  CHECK(safe.find("\xE2\x81\xA6") == std::string::npos);
  CHECK(nlohmann::json::parse(safe) == j);
}

// The real binary's command line: help (--help and `help [COMMAND]`) lists the subcommands, a wrong option or a missing
// subcommand exits 2 with a message, a configuration that does not exist exits 1 naming it,
// and `check` accepts the bundled demo's configuration (config/demo/madoguchi.yaml). The
// demo's mail through `run --once`, with the ticket CLI on the result, is test_ticket_cli.cpp.
#include <doctest/doctest.h>

#include "daemon_process.h"

#include <filesystem>
#include <string>

using madoguchi::testing::run_madoguchi;

TEST_CASE("madoguchi --help lists every subcommand") {
  auto r = run_madoguchi({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* sub : {"run", "check", "classify", "parse", "calendar", "ticket", "deliver"}) {
    INFO(sub);
    CHECK(r.output.find(std::string("\n  ") + sub + " ") != std::string::npos);
  }
}

TEST_CASE("madoguchi help prints the same list, help COMMAND that command's, an unknown one exits 2") {
  const auto r = run_madoguchi({"help"});
  CHECK(r.exit_code == 0);
  for (const char* sub : {"run", "check", "ticket", "outbox"}) CHECK(r.output.find(std::string("\n  ") + sub + " ") != std::string::npos);
  const auto t = run_madoguchi({"help", "ticket"});
  CHECK(t.exit_code == 0);
  for (const char* sub : {"show", "attachment", "reply", "refuse"}) CHECK(t.output.find(std::string("\n  ") + sub + " ") != std::string::npos);
  CHECK(run_madoguchi({"help", "ticket", "show"}).output.find("--raw") != std::string::npos);
  const auto bad = run_madoguchi({"help", "frobnicate"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("no command 'frobnicate'") != std::string::npos);
}

TEST_CASE("a wrong option or a missing subcommand exits 2 with a message") {
  auto r = run_madoguchi({"--no-such-option"});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("no-such-option") != std::string::npos);
  r = run_madoguchi({});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("subcommand") != std::string::npos);
  r = run_madoguchi({"run", "--bogus"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("run with a configuration that does not exist exits 1 naming the file") {
  auto r = run_madoguchi({"run", "--once", "--config", "/nonexistent/madoguchi.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("/nonexistent/madoguchi.yaml") != std::string::npos);
}

TEST_CASE("check accepts the bundled demo configuration, without running it") {
  const std::string demo = std::string(MADOGUCHI_SOURCE_DIR) + "/config/demo/madoguchi.yaml";
  auto r = run_madoguchi({"check", "--config", demo});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find(demo + ": ok (") != std::string::npos);
}

// What `outbox list` prints of a row: the recipient masked, the server's reply made safe for
// the terminal, the next attempt only for pending mail.
#include <doctest/doctest.h>

#include "daemon/cli/outbox_rows.h"
#include "daemon/cli/terminal_text.h"

using namespace madoguchi::daemon;

namespace {
OutboxListing row(OutboxState state, std::string last_reply) {
  OutboxListing r;
  r.id = 42;
  r.state = state;
  r.kind = "acknowledgement";
  r.recipient = "taro@sakura-giken.co.jp";
  r.attempts = 3;
  r.created_at = std::chrono::sys_seconds{std::chrono::seconds{1795266900}};  // 2026-11-21 22:15 JST
  r.next_attempt_at = r.created_at + std::chrono::minutes(4);
  r.last_reply = std::move(last_reply);
  return r;
}
}  // namespace

TEST_CASE("outbox list: one line per row, recipient masked, the server's words printable") {
  const auto r = row(OutboxState::failed, "550 5.1.1 <taro@sakura-giken.co.jp>\x1b]0;owned\x07 unknown\r\n");
  const std::string line = outbox_table_line(r);
  CAPTURE(line);
  CHECK(line.rfind("42      failed   acknowledgement   3      2026-11-21T22:15:00+09:00  t***@sakura-giken.co.jp", 0) == 0);
  CHECK(line.find("taro@") == std::string::npos);  // the server's reply echoes it: masked there too
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("last: 550 5.1.1 <t***@sakura-giken.co.jp>") != std::string::npos);
  CHECK(outbox_table_line(row(OutboxState::sent, "")).find("last:") == std::string::npos);
  CHECK(outbox_table_header().rfind("id ", 0) == 0);
}

TEST_CASE("outbox list --json: masked recipient, next attempt only while pending, escapes kept out") {
  const auto failed = outbox_row_json(row(OutboxState::failed, "554 5.7.1 relay\x1b[2J denied"));
  CHECK(failed["id"] == 42);
  CHECK(failed["state"] == "failed");
  CHECK(failed["kind"] == "acknowledgement");
  CHECK(failed["recipient"] == "t***@sakura-giken.co.jp");
  CHECK(failed["attempts"] == 3);
  CHECK(failed["created_at"] == "2026-11-21T22:15:00+09:00");
  CHECK(failed["next_attempt_at"].is_null());
  CHECK(failed["last_error"] == "554 5.7.1 relay\x1b[2J denied");
  const std::string printed = printable_json(failed.dump());
  CHECK(printed.find('\x1b') == std::string::npos);
  CHECK(nlohmann::json::parse(printed) == failed);  // the same JSON, escaped
  const auto pending = outbox_row_json(row(OutboxState::pending, ""));
  CHECK(pending["next_attempt_at"] == "2026-11-21T22:19:00+09:00");
  CHECK(pending["last_error"] == "");
  CHECK(outbox_row_json(row(OutboxState::failed, "550 <a@b.jp> and x.y@c.jp (z@d.jp)"))["last_error"] ==
        "550 <a***@b.jp> and x***@c.jp (z***@d.jp)");
}

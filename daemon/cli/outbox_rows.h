// outbox_rows.h — one outgoing row as `madoguchi outbox list` shows it, kept apart from the
// command so that the masking and the terminal safety of what it prints are testable without
// a store. The recipient, and any address the server's last reply echoes, is masked as in
// the logs (t***@example.co.jp, unless log_personal_data); the reply goes through printable().
#pragma once

#include "daemon/service/outbox_admin.h"

#include <nlohmann/json.hpp>

#include <string>

namespace madoguchi::daemon {

// {"id", "state", "kind", "recipient" (masked), "attempts", "created_at", "next_attempt_at"
// (ISO 8601 +09:00; null unless pending), "last_error" (the last reply, addresses masked; "" when none)}.
nlohmann::json outbox_row_json(const OutboxListing& row);

// The column header of the table, and one row of it (one line, no control characters).
std::string outbox_table_header();
std::string outbox_table_line(const OutboxListing& row);

}  // namespace madoguchi::daemon

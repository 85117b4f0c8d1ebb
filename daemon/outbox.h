// outbox.h — every outgoing mail is a row, created in the same transaction as the decision
// that causes it, then delivered by deliver_due() through a MailSink with retry.
#pragma once

#include "daemon/mail_sink.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace madoguchi::daemon {

struct OutboxRow {
  std::optional<std::int64_t> ticket_id;
  std::optional<std::int64_t> cause_message;
  std::string kind;       // acknowledgement | refusal | staff_reply | notice | …
  std::string template_name;
  std::string envelope_from;  // "" = null sender
  std::string recipient;
  std::string message_id;     // without brackets
  std::string raw;
};

// Inserts a pending row (inside the caller's transaction).
std::int64_t enqueue(SQLite::Database& db, const OutboxRow& row, std::chrono::sys_seconds now);

struct DeliveryStats {
  int sent = 0;
  int deferred = 0;
  int failed = 0;
};

// Delivers every pending row that is due. A temporary failure is retried with exponential
// backoff (1 min doubling, at most 1 h) until `max_age`, then failed; a permanent one
// fails at once. Each row keeps its attempts and the last reply.
DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age);

// Backoff before attempt n+1 after n failed attempts (n >= 1).
std::chrono::seconds retry_delay(int attempts);

}  // namespace madoguchi::daemon

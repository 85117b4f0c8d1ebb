// outbox.h — every outgoing mail is a row, created in the same transaction as the decision
// that causes it (enqueue), then delivered by deliver_due() through a MailSink with retry.
//
// States: pending -> sent | failed | bounced. Each row keeps its attempts and the server's
// last reply. Delivery is at-least-once, never at-most-once:
//   1. claim   — one committed UPDATE counts the attempt and pushes next_attempt_at one
//                lease (15 min) ahead, last_reply "in flight";
//   2. send    — the SMTP transaction;
//   3. record  — one committed UPDATE with the result.
// A crash between the server's final "250" and step 3 leaves the row pending and "in
// flight"; it is sent again once the lease has passed. That window is the few milliseconds
// between the server's reply and the commit; the duplicate carries the same Message-ID, so
// mail clients show it once. The lease also keeps two senders from sending one row twice.
#pragma once

#include "daemon/mail_sink.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct OutboxRow {
  std::optional<std::int64_t> ticket_id;
  std::optional<std::int64_t> cause_message;
  std::string kind;       // acknowledgement | refusal | staff_reply | notice | …
  std::string template_name;
  std::string envelope_from;  // "" = null sender (automatic mail)
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
  int suppressed = 0;  // automatic mail to an address that keeps bouncing (counted in failed too)
  bool server_unreachable = false;  // the round stopped early; the rest wait, no attempt counted
};

struct DeliveryPolicy {
  std::chrono::seconds max_age{2 * 86400};   // a 4xx is retried until the row is this old
  std::chrono::seconds lease{15 * 60};       // a claimed row is retried after this if we crash
  // Automatic mail (null sender) to an address with this many hard bounces within
  // `suppress_for` is not sent (marked failed, "suppressed …"); 0 switches it off.
  int hard_bounces_to_suppress = 3;
  std::chrono::seconds suppress_for{30 * 86400};
};

// Delivers every pending row that is due. A temporary failure is retried with exponential
// backoff and jitter (retry_delay) until policy.max_age, then failed; a permanent one fails at
// once. A temporary failure that is not about the message (no server reply, 421, or an
// authentication/TLS refusal) ends the round: the other rows wait without an attempt counted.
DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          const DeliveryPolicy& policy);
DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age);

// Backoff before attempt n+1 after n failed attempts (n >= 1): 1 min doubling, at most 1 h.
std::chrono::seconds retry_delay(int attempts);
// The same with ±20 % jitter (`unit` in [0, 1)), so that rows deferred together by one outage
// do not all hit the server again in the same second.
std::chrono::seconds retry_delay(int attempts, double unit);

// What a delivery status notification says about the recipient(s) of the returned mail.
struct DsnSummary {
  bool hard = false;     // Action: failed, or a 5.x.x Status
  bool delayed = false;  // only Action: delayed (the server still tries: not a bounce)
  std::string status;    // first Status field, e.g. "5.1.1", "" when none
};
DsnSummary summarize_dsn(std::string_view raw_dsn);

// A DSN matched our Message-ID: marks that row bounced (unless the DSN only reports a delay)
// and records a hard bounce of its recipient. Returns false when no row has that Message-ID.
// Call inside the transaction that records the incoming DSN.
bool mark_bounced(SQLite::Database& db, std::string_view message_id, const DsnSummary& dsn,
                  std::chrono::sys_seconds now);

// Hard bounces of `recipient` recorded since `since`.
int hard_bounces_since(SQLite::Database& db, std::string_view recipient, std::chrono::sys_seconds since);

}  // namespace madoguchi::daemon

// outbox.h — outgoing mail rows, created in the same transaction as the decision that causes
// them; their delivery attempts; hard bounces per address. The policy (when to retry, what to suppress) is
// service/delivery's; this file only reads and writes rows.
#pragma once

#include "daemon/store/states.h"
#include "daemon/store/store.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

struct OutboxRow {
  std::optional<std::int64_t> ticket_id;
  std::optional<std::int64_t> cause_message;
  std::string kind;  // acknowledgement | refusal | staff_reply | staff_notice | closing_notice | …
  std::string template_name;
  std::string envelope_from;  // "" = null sender (automatic mail)
  std::string recipient;
  std::string message_id;     // without brackets
  std::string raw;
};

// Inserts a pending row, due now.
std::int64_t enqueue(Transaction& tx, const OutboxRow& row, std::chrono::sys_seconds now);

struct DueMail {
  std::int64_t id = 0;
  std::string from, recipient, message_id;
  int attempts = 0;
  std::chrono::sys_seconds created_at{};
};
// Pending rows whose next attempt is due, oldest first.
std::vector<DueMail> due_mail(Store& store, std::chrono::sys_seconds now);

// Counts an attempt and leases the row until `lease_until` (committed before anything is
// sent). False when the row is no longer pending with `mail.attempts` attempts: another
// sender has it, or it changed meanwhile.
bool claim_mail(Store& store, const DueMail& mail, std::chrono::sys_seconds lease_until);
// The raw message of a row.
std::optional<std::string> outbox_raw(Store& store, std::int64_t id);
// The result of an attempt: the new state, when to try next (pending), the server's reply.
void record_attempt(Transaction& tx, std::int64_t id, OutboxState state, int attempts,
                    std::chrono::sys_seconds next_attempt, std::string_view reply,
                    std::chrono::sys_seconds now);

// The recipient of our mail with this Message-ID.
std::optional<std::string> outbox_recipient(Store& store, std::string_view message_id);
void mark_outbox_bounced(Transaction& tx, std::string_view message_id, std::string_view note);

// A hard bounce of `recipient` (lower-cased here) and how many there were since `since`.
void record_hard_bounce(Transaction& tx, std::string_view recipient, std::string_view message_id,
                        std::string_view status, std::chrono::sys_seconds now);
int hard_bounces_since(Store& store, std::string_view recipient, std::chrono::sys_seconds since);

struct OutboxSummary {
  std::chrono::sys_seconds created_at{};
  std::string kind, template_name, recipient;
  OutboxState state = OutboxState::pending;
  int attempts = 0;
  std::string last_reply;
  std::chrono::sys_seconds next_attempt_at{};  // while pending
  std::chrono::sys_seconds sent_at{};          // when sent (0 otherwise)
};
std::vector<OutboxSummary> outbox_of_ticket(Store& store, std::int64_t ticket_id);

// Outgoing rows for `madoguchi outbox list`, oldest first; all states when nullopt.
struct OutboxListing {
  std::int64_t id = 0;
  OutboxState state = OutboxState::pending;
  std::string kind, recipient;
  int attempts = 0;
  std::chrono::sys_seconds created_at{}, next_attempt_at{};
  std::string last_reply;
};
std::vector<OutboxListing> list_outbox(Store& store, std::optional<OutboxState> state);
// The state of row `id`, nullopt when there is no such row.
std::optional<OutboxState> outbox_state(Store& store, std::int64_t id);
// failed -> pending, due at `now`, attempts and last reply kept; false when the row is not
// failed (another process retried it, or it never failed). One compare-and-set.
bool retry_failed_outbox(Transaction& tx, std::int64_t id, std::chrono::sys_seconds now);
// Every failed row -> pending, due at `now`; the number moved.
int retry_all_failed_outbox(Transaction& tx, std::chrono::sys_seconds now);

}  // namespace madoguchi::daemon

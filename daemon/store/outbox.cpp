// outbox.cpp — see outbox.h.
#include "daemon/store/outbox.h"
#include "parsers/mime.h"

#include <cctype>

namespace madoguchi::daemon {
namespace {
const std::string kPending(to_string(OutboxState::pending));
const std::string kFailed(to_string(OutboxState::failed));
}  // namespace

std::int64_t enqueue(Transaction& tx, const OutboxRow& row, std::chrono::sys_seconds now) {
  SQLite::Statement ins(tx.db(),
                        "INSERT INTO outbox (ticket_id, cause_message, kind, template, "
                        "envelope_from, recipient, message_id, raw, next_attempt_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (row.ticket_id) ins.bind(1, *row.ticket_id); else ins.bind(1);
  if (row.cause_message) ins.bind(2, *row.cause_message); else ins.bind(2);
  ins.bind(3, row.kind);
  ins.bind(4, row.template_name);
  ins.bind(5, row.envelope_from);
  ins.bind(6, row.recipient);
  ins.bind(7, row.message_id);
  ins.bind(8, row.raw.data(), static_cast<int>(row.raw.size()));
  ins.bind(9, to_unix(now));
  ins.bind(10, to_unix(now));
  ins.exec();
  return tx.db().getLastInsertRowid();
}

std::vector<DueMail> due_mail(Store& store, std::chrono::sys_seconds now) {
  SQLite::Statement q(store.db(),
                      "SELECT id, envelope_from, recipient, message_id, attempts, created_at "
                      "FROM outbox WHERE state = ? AND next_attempt_at <= ? ORDER BY id");
  q.bind(1, kPending);
  q.bind(2, to_unix(now));
  std::vector<DueMail> due;
  while (q.executeStep())
    due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString(), q.getColumn(4).getInt(), from_unix(q.getColumn(5).getInt64())});
  return due;
}

bool claim_mail(Store& store, const DueMail& mail, std::chrono::sys_seconds lease_until) {
  const int attempt = mail.attempts + 1;
  SQLite::Statement claim(store.db(),
                          "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_reply = ? "
                          "WHERE id = ? AND state = ? AND attempts = ?");
  claim.bind(1, attempt);
  claim.bind(2, to_unix(lease_until));
  claim.bind(3, "in flight: attempt " + std::to_string(attempt) + " started, outcome unknown");
  claim.bind(4, mail.id);
  claim.bind(5, kPending);
  claim.bind(6, mail.attempts);
  return claim.exec() == 1;
}

std::optional<std::string> outbox_raw(Store& store, std::int64_t id) {
  SQLite::Statement q(store.db(), "SELECT raw FROM outbox WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  const auto& blob = q.getColumn(0);
  return std::string(static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes()));
}

void record_attempt(Transaction& tx, std::int64_t id, OutboxState state, int attempts,
                    std::chrono::sys_seconds next_attempt, std::string_view reply,
                    std::chrono::sys_seconds now) {
  SQLite::Statement upd(tx.db(),
                        "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_reply = ?, "
                        "sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE id = ?");
  upd.bind(1, std::string(to_string(state)));
  upd.bind(2, attempts);
  upd.bind(3, to_unix(next_attempt));
  upd.bind(4, std::string(reply));
  upd.bind(5, state == OutboxState::sent ? 1 : 0);
  upd.bind(6, to_unix(now));
  upd.bind(7, id);
  upd.exec();
}

std::optional<std::string> outbox_recipient(Store& store, std::string_view message_id) {
  SQLite::Statement q(store.db(), "SELECT recipient FROM outbox WHERE message_id = ?");
  q.bind(1, std::string(message_id));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void mark_outbox_bounced(Transaction& tx, std::string_view message_id, std::string_view note) {
  SQLite::Statement upd(tx.db(), "UPDATE outbox SET state = ?, last_reply = ? WHERE message_id = ?");
  upd.bind(1, std::string(to_string(OutboxState::bounced)));
  upd.bind(2, std::string(note));
  upd.bind(3, std::string(message_id));
  upd.exec();
}

void record_hard_bounce(Transaction& tx, std::string_view recipient, std::string_view message_id,
                        std::string_view status, std::chrono::sys_seconds now) {
  SQLite::Statement ins(tx.db(), "INSERT INTO outbox_bounces (recipient, at, message_id, status) VALUES (?, ?, ?, ?)");
  ins.bind(1, parsers::ascii_lower(recipient));
  ins.bind(2, to_unix(now));
  ins.bind(3, std::string(message_id));
  ins.bind(4, std::string(status));
  ins.exec();
}

int hard_bounces_since(Store& store, std::string_view recipient, std::chrono::sys_seconds since) {
  SQLite::Statement q(store.db(), "SELECT COUNT(*) FROM outbox_bounces WHERE recipient = ? AND at >= ?");
  q.bind(1, parsers::ascii_lower(recipient));
  q.bind(2, to_unix(since));
  q.executeStep();
  return q.getColumn(0).getInt();
}

std::vector<OutboxSummary> outbox_of_ticket(Store& store, std::int64_t ticket_id) {
  SQLite::Statement o(store.db(),
                      "SELECT created_at, kind, COALESCE(template,''), recipient, state, attempts, "
                      "COALESCE(last_reply,''), next_attempt_at, COALESCE(sent_at, 0) "
                      "FROM outbox WHERE ticket_id = ? ORDER BY id");
  o.bind(1, ticket_id);
  std::vector<OutboxSummary> out;
  while (o.executeStep())
    out.push_back({from_unix(o.getColumn(0).getInt64()), o.getColumn(1).getString(), o.getColumn(2).getString(),
                   o.getColumn(3).getString(),
                   parse_state<OutboxState>(o.getColumn(4).getString()).value_or(OutboxState::failed),
                   o.getColumn(5).getInt(), o.getColumn(6).getString(), from_unix(o.getColumn(7).getInt64()),
                   from_unix(o.getColumn(8).getInt64())});
  return out;
}

std::vector<OutboxListing> list_outbox(Store& store, std::optional<OutboxState> state) {
  SQLite::Statement q(store.db(),
                      "SELECT id, state, kind, recipient, attempts, created_at, next_attempt_at, "
                      "COALESCE(last_reply,'') FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY id");
  if (state) q.bind(1, std::string(to_string(*state))); else q.bind(1);
  std::vector<OutboxListing> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(),
                   parse_state<OutboxState>(q.getColumn(1).getString()).value_or(OutboxState::failed),
                   q.getColumn(2).getString(), q.getColumn(3).getString(), q.getColumn(4).getInt(),
                   from_unix(q.getColumn(5).getInt64()), from_unix(q.getColumn(6).getInt64()),
                   q.getColumn(7).getString()});
  return out;
}

std::optional<OutboxState> outbox_state(Store& store, std::int64_t id) {
  SQLite::Statement q(store.db(), "SELECT state FROM outbox WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return parse_state<OutboxState>(q.getColumn(0).getString());
}

bool retry_failed_outbox(Transaction& tx, std::int64_t id, std::chrono::sys_seconds now) {
  SQLite::Statement upd(tx.db(), "UPDATE outbox SET state = ?, next_attempt_at = ? WHERE id = ? AND state = ?");
  upd.bind(1, kPending);
  upd.bind(2, to_unix(now));
  upd.bind(3, id);
  upd.bind(4, kFailed);
  return upd.exec() == 1;
}

int retry_all_failed_outbox(Transaction& tx, std::chrono::sys_seconds now) {
  SQLite::Statement upd(tx.db(), "UPDATE outbox SET state = ?, next_attempt_at = ? WHERE state = ?");
  upd.bind(1, kPending);
  upd.bind(2, to_unix(now));
  upd.bind(3, kFailed);
  return upd.exec();
}

}  // namespace madoguchi::daemon

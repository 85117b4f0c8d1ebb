// tickets.cpp — see tickets.h.
#include "daemon/store/tickets.h"

#include <cstdio>

namespace madoguchi::daemon {
namespace {

constexpr const char* kColumns =
    "SELECT id, number, status, desk, tenant, requester, COALESCE(requester_name, ''), subject, "
    "COALESCE(outcome, ''), rule, reason, flagged, received_at, accepted_at, created_at, "
    "first_response_due, closed_at, status_since, auto_close_warned_at, first_responded_at, "
    "close_reason, parent_id FROM tickets ";

// The SQL condition of a ticket past its first-response due time with no staff reply yet.
constexpr const char* kOverdue =
    "status <> 'closed' AND first_responded_at IS NULL AND first_response_due IS NOT NULL "
    "AND first_response_due < :now";

std::optional<std::string> opt_text(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<std::string>(c.getString());
}
std::optional<std::chrono::sys_seconds> opt_time(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional(from_unix(c.getInt64()));
}

TicketRow read_ticket(SQLite::Statement& q) {
  TicketRow t;
  t.id = q.getColumn(0).getInt64();
  t.number = q.getColumn(1).getString();
  t.status = parse_state<TicketStatus>(q.getColumn(2).getString()).value_or(TicketStatus::open);
  t.desk = q.getColumn(3).getString();
  t.tenant = opt_text(q.getColumn(4));
  t.requester = q.getColumn(5).getString();
  t.requester_name = q.getColumn(6).getString();
  t.subject = q.getColumn(7).getString();
  t.outcome = q.getColumn(8).getString();
  t.rule = opt_text(q.getColumn(9));
  t.reason = opt_text(q.getColumn(10));
  t.flagged = q.getColumn(11).getInt() != 0;
  t.received_at = from_unix(q.getColumn(12).getInt64());
  t.accepted_at = from_unix(q.getColumn(13).getInt64());
  t.created_at = from_unix(q.getColumn(14).getInt64());
  t.first_response_due = opt_time(q.getColumn(15));
  t.closed_at = opt_time(q.getColumn(16));
  t.status_since = opt_time(q.getColumn(17));
  t.auto_close_warned_at = opt_time(q.getColumn(18));
  t.first_responded_at = opt_time(q.getColumn(19));
  t.close_reason = opt_text(q.getColumn(20));
  if (!q.getColumn(21).isNull()) t.parent = q.getColumn(21).getInt64();
  return t;
}

std::vector<TicketRow> read_all(SQLite::Statement& q) {
  std::vector<TicketRow> out;
  while (q.executeStep()) out.push_back(read_ticket(q));
  return out;
}

void set_time(Transaction& tx, const char* column, std::int64_t id, std::chrono::sys_seconds at) {
  SQLite::Statement upd(tx.db(), std::string("UPDATE tickets SET ") + column + " = ? WHERE id = ?");
  upd.bind(1, to_unix(at));
  upd.bind(2, id);
  upd.exec();
}

}  // namespace

std::string ticket_number(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "MG-%06lld", static_cast<long long>(id));
  return buf;
}

TicketRow create_ticket(Transaction& tx, const NewTicket& t, std::chrono::sys_seconds now) {
  SQLite::Statement ins(tx.db(),
                        "INSERT INTO tickets (number, desk, tenant, requester, subject, status, "
                        "outcome, rule, reason, flagged, received_at, accepted_at, "
                        "first_response_due, created_at, parent_id, requester_name) "
                        "VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, t.desk);
  if (t.tenant) ins.bind(2, *t.tenant); else ins.bind(2);
  ins.bind(3, t.requester);
  ins.bind(4, t.subject);
  ins.bind(5, std::string(to_string(t.status)));
  ins.bind(6, t.outcome);
  if (t.rule) ins.bind(7, *t.rule); else ins.bind(7);
  if (t.reason) ins.bind(8, *t.reason); else ins.bind(8);
  ins.bind(9, t.flagged ? 1 : 0);
  ins.bind(10, to_unix(t.received_at));
  ins.bind(11, to_unix(t.accepted_at));
  if (t.first_response_due) ins.bind(12, to_unix(*t.first_response_due)); else ins.bind(12);
  ins.bind(13, to_unix(now));
  if (t.parent) ins.bind(14, *t.parent); else ins.bind(14);
  ins.bind(15, t.requester_name);
  ins.exec();
  const std::int64_t id = tx.db().getLastInsertRowid();
  SQLite::Statement upd(tx.db(), "UPDATE tickets SET number = ? WHERE id = ?");
  upd.bind(1, ticket_number(id));
  upd.bind(2, id);
  upd.exec();
  return *load_ticket(tx.store(), id);
}

std::optional<TicketRow> load_ticket(Store& store, std::int64_t id) {
  SQLite::Statement q(store.db(), std::string(kColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_ticket(q);
}

std::optional<TicketRow> load_ticket(Store& store, std::string_view number) {
  SQLite::Statement q(store.db(), std::string(kColumns) + "WHERE number = ?");
  q.bind(1, std::string(number));
  if (!q.executeStep()) return std::nullopt;
  return read_ticket(q);
}

void add_history(Transaction& tx, std::int64_t ticket_id, std::chrono::sys_seconds at,
                 std::string_view actor, HistoryEvent event, std::string_view detail) {
  SQLite::Statement ins(tx.db(),
                        "INSERT INTO ticket_events (ticket_id, at, actor, event, detail) "
                        "VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, ticket_id);
  ins.bind(2, to_unix(at));
  ins.bind(3, std::string(actor));
  ins.bind(4, std::string(to_string(event)));
  ins.bind(5, std::string(detail));
  ins.exec();
}

bool set_ticket_status(Transaction& tx, const TicketRow& ticket, TicketStatus to,
                       std::chrono::sys_seconds now, std::string_view actor,
                       std::optional<rules::CloseReason> reason) {
  const std::string from(to_string(ticket.status));
  if (to == TicketStatus::closed) {
    const std::string why = reason ? std::string(rules::to_string(*reason)) : std::string();
    SQLite::Statement upd(tx.db(), "UPDATE tickets SET status = 'closed', closed_at = ?, close_reason = ? "
                                   "WHERE id = ? AND status = ?");
    upd.bind(1, to_unix(now));
    upd.bind(2, why);
    upd.bind(3, ticket.id);
    upd.bind(4, from);
    if (upd.exec() != 1) return false;
    add_history(tx, ticket.id, now, actor, HistoryEvent::ticket_closed, why);
    return true;
  }
  SQLite::Statement upd(tx.db(),
                        "UPDATE tickets SET status = ?, closed_at = NULL, close_reason = NULL, "
                        "status_since = ? WHERE id = ? AND status = ?");
  upd.bind(1, std::string(to_string(to)));
  upd.bind(2, to_unix(now));
  upd.bind(3, ticket.id);
  upd.bind(4, from);
  if (upd.exec() != 1) return false;
  add_history(tx, ticket.id, now, actor,
              ticket.status == TicketStatus::closed ? HistoryEvent::ticket_reopened : HistoryEvent::status_changed,
              from + " -> " + std::string(to_string(to)));
  return true;
}

void flag_ticket(Transaction& tx, std::int64_t id) {
  SQLite::Statement upd(tx.db(), "UPDATE tickets SET flagged = 1 WHERE id = ?");
  upd.bind(1, id);
  upd.exec();
}

void record_first_response(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at) {
  SQLite::Statement upd(tx.db(),
                        "UPDATE tickets SET first_responded_at = COALESCE(first_responded_at, ?) WHERE id = ?");
  upd.bind(1, to_unix(at));
  upd.bind(2, id);
  upd.exec();
}

void record_auto_close_warning(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at) {
  set_time(tx, "auto_close_warned_at", id, at);
}

void record_overdue_logged(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at) {
  set_time(tx, "overdue_logged_at", id, at);
}

std::vector<TicketRow> queued_due(Store& store, std::chrono::sys_seconds now) {
  SQLite::Statement q(store.db(), std::string(kColumns) + "WHERE status = ? AND accepted_at <= ? ORDER BY id");
  q.bind(1, std::string(to_string(TicketStatus::queued)));
  q.bind(2, to_unix(now));
  return read_all(q);
}

std::vector<TicketRow> tickets_with_status(Store& store, TicketStatus status) {
  SQLite::Statement q(store.db(), std::string(kColumns) + "WHERE status = ? ORDER BY id");
  q.bind(1, std::string(to_string(status)));
  return read_all(q);
}

std::vector<TicketRow> overdue_tickets(Store& store, std::chrono::sys_seconds now, bool unlogged_only) {
  SQLite::Statement q(store.db(), std::string(kColumns) + "WHERE " + kOverdue +
                                      (unlogged_only ? " AND overdue_logged_at IS NULL" : "") + " ORDER BY id");
  q.bind(":now", to_unix(now));
  return read_all(q);
}

std::vector<TicketRow> list_tickets(Store& store, const TicketFilter& f) {
  std::string sql = std::string(kColumns) + "WHERE 1 = 1";
  if (!f.desk.empty()) sql += " AND desk = :desk";
  if (f.status) sql += " AND status = :status";
  if (!f.tenant.empty()) sql += " AND tenant = :tenant";
  if (f.overdue_at) sql += std::string(" AND ") + kOverdue;
  sql += " ORDER BY id";
  SQLite::Statement q(store.db(), sql);
  if (!f.desk.empty()) q.bind(":desk", f.desk);
  if (f.status) q.bind(":status", std::string(to_string(*f.status)));
  if (!f.tenant.empty()) q.bind(":tenant", f.tenant);
  if (f.overdue_at) q.bind(":now", to_unix(*f.overdue_at));
  return read_all(q);
}

std::vector<HistoryEntry> ticket_history(Store& store, std::int64_t ticket_id) {
  SQLite::Statement e(store.db(),
                      "SELECT at, actor, event, COALESCE(detail,'') FROM ticket_events WHERE ticket_id = ? ORDER BY id");
  e.bind(1, ticket_id);
  std::vector<HistoryEntry> out;
  while (e.executeStep())
    out.push_back({from_unix(e.getColumn(0).getInt64()), e.getColumn(1).getString(), e.getColumn(2).getString(),
                   e.getColumn(3).getString()});
  return out;
}

}  // namespace madoguchi::daemon

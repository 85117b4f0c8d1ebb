// tickets.cpp — see tickets.h.
#include "daemon/tickets.h"

#include "daemon/store.h"

#include <cstdio>

namespace madoguchi::daemon {

std::string ticket_number(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "MG-%06lld", static_cast<long long>(id));
  return buf;
}

std::string ticket_tag(std::string_view number) { return "[#" + std::string(number) + "]"; }

std::optional<std::string> find_ticket_tag(std::string_view subject) {
  for (std::size_t pos = subject.find("[#MG-"); pos != std::string_view::npos;
       pos = subject.find("[#MG-", pos + 1)) {
    std::size_t i = pos + 5;
    std::size_t digits = 0;
    while (i < subject.size() && subject[i] >= '0' && subject[i] <= '9') ++i, ++digits;
    if (digits >= 6 && i < subject.size() && (subject[i] == ']' || subject[i] == '-'))
      return std::string(subject.substr(pos + 2, 3 + digits));
  }
  return std::nullopt;
}

TicketRef create_ticket(SQLite::Database& db, const NewTicket& t, std::chrono::sys_seconds now) {
  SQLite::Statement ins(db,
                        "INSERT INTO tickets (number, desk, tenant, requester, subject, status, "
                        "outcome, rule, reason, flagged, received_at, accepted_at, "
                        "first_response_due, created_at) "
                        "VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, t.desk);
  if (t.tenant) ins.bind(2, *t.tenant); else ins.bind(2);
  ins.bind(3, t.requester);
  ins.bind(4, t.subject);
  ins.bind(5, t.status);
  ins.bind(6, t.outcome);
  if (t.rule) ins.bind(7, *t.rule); else ins.bind(7);
  if (t.reason) ins.bind(8, *t.reason); else ins.bind(8);
  ins.bind(9, t.flagged ? 1 : 0);
  ins.bind(10, to_unix(t.received_at));
  ins.bind(11, to_unix(t.accepted_at));
  if (t.first_response_due) ins.bind(12, to_unix(*t.first_response_due)); else ins.bind(12);
  ins.bind(13, to_unix(now));
  ins.exec();
  const std::int64_t id = db.getLastInsertRowid();
  const std::string number = ticket_number(id);
  SQLite::Statement upd(db, "UPDATE tickets SET number = ? WHERE id = ?");
  upd.bind(1, number);
  upd.bind(2, id);
  upd.exec();
  return {id, number, t.status};
}

void add_ticket_event(SQLite::Database& db, std::int64_t ticket_id, std::chrono::sys_seconds at,
                      std::string_view actor, std::string_view event, std::string_view detail) {
  SQLite::Statement ins(db,
                        "INSERT INTO ticket_events (ticket_id, at, actor, event, detail) "
                        "VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, ticket_id);
  ins.bind(2, to_unix(at));
  ins.bind(3, std::string(actor));
  ins.bind(4, std::string(event));
  ins.bind(5, std::string(detail));
  ins.exec();
}

namespace {
std::optional<TicketRef> ticket_by(SQLite::Database& db, const char* sql, const std::string& key) {
  SQLite::Statement q(db, sql);
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return TicketRef{q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                   q.getColumn(2).getString()};
}
}  // namespace

std::optional<TicketRef> find_thread(SQLite::Database& db, const parsers::ParsedMail& mail) {
  if (auto number = find_ticket_tag(mail.subject)) {
    if (auto t = ticket_by(db, "SELECT id, number, status FROM tickets WHERE number = ?", *number))
      return t;
  }
  std::vector<std::string> ids;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  for (auto it = mail.references.rbegin(); it != mail.references.rend(); ++it) ids.push_back(*it);
  for (const auto& id : ids) {
    if (auto t = ticket_by(db,
                           "SELECT t.id, t.number, t.status FROM outbox o JOIN tickets t "
                           "ON t.id = o.ticket_id WHERE o.message_id = ?",
                           id))
      return t;
    if (auto t = ticket_by(db,
                           "SELECT t.id, t.number, t.status FROM messages m JOIN tickets t "
                           "ON t.id = m.ticket_id WHERE m.message_id = ? ORDER BY m.id LIMIT 1",
                           id))
      return t;
  }
  return std::nullopt;
}

}  // namespace madoguchi::daemon

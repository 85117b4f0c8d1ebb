// ticket_work.cpp — the Pipeline's work on tickets outside the mail stages: staff operations
// (shared by staff e-mail and the `ticket` CLI) and the timed jobs of each pass (releasing the
// business-hours queue with its staff digest, auto-close, overdue first responses).
#include "daemon/log.h"
#include "daemon/pipeline.h"
#include "daemon/pipeline_detail.h"
#include "rules/calendar.h"
#include "daemon/staff_mail.h"

#include <algorithm>
#include <map>

namespace madoguchi::daemon {

using detail::display_subject;
using detail::kJapan;
using std::chrono::sys_seconds;

namespace {
// The customer's Message-IDs of a ticket, oldest first (References of our replies); staff
// mail is internal and never referenced.
std::vector<std::string> ticket_message_ids(SQLite::Database& db, std::int64_t ticket_id,
                                            const std::vector<std::string>& staff) {
  std::vector<std::string> ids;
  SQLite::Statement q(db,
                      "SELECT message_id, COALESCE(sender, '') FROM messages WHERE ticket_id = ? "
                      "AND message_id != '' ORDER BY id");
  q.bind(1, ticket_id);
  while (q.executeStep())
    if (std::find(staff.begin(), staff.end(), q.getColumn(1).getString()) == staff.end())
      ids.push_back(q.getColumn(0).getString());
  if (ids.size() > 10) ids.erase(ids.begin() + 1, ids.end() - 9);  // first + last nine
  return ids;
}
}  // namespace

void Pipeline::staff_reply(const TicketRow& ticket, const std::string& text, const std::string& actor) {
  SQLite::Database& db = store_.db();
  const rules::Desk& desk = desk_of(ticket);
  Outgoing m;
  m.desk = &desk;
  m.ticket = &ticket;
  m.template_name = "staff_reply";
  m.values = {{"reply_body", text}, {"customer_name", ticket.customer_name()}};
  m.to_address = ticket.requester;
  m.kind = "staff_reply";
  m.references = ticket_message_ids(db, ticket.id, config_.staff);
  if (!m.references.empty()) m.in_reply_to = m.references.back();
  const std::string id = queue_mail(m);
  if (id.empty()) throw std::runtime_error("the desk has no staff_reply template");
  add_ticket_event(db, ticket.id, clock_(), actor, "staff_reply_sent", id);
  {
    SQLite::Statement first(db, "UPDATE tickets SET first_responded_at = COALESCE(first_responded_at, ?) WHERE id = ?");
    first.bind(1, to_unix(clock_()));
    first.bind(2, ticket.id);
    first.exec();
  }
  if (ticket.status != "closed" && ticket.status != "waiting_customer")
    set_ticket_status(db, ticket, "waiting_customer", clock_(), actor);
}

void Pipeline::staff_note(const TicketRow& ticket, const std::string& text, const std::string& actor) {
  add_ticket_event(store_.db(), ticket.id, clock_(), actor, "note", text);
}

void Pipeline::staff_status(const TicketRow& ticket, const std::string& status, const std::string& actor) {
  if (!is_settable_status(status)) throw std::invalid_argument("cannot set status '" + status + "'");
  if (ticket.status == status) return;
  set_ticket_status(store_.db(), ticket, status, clock_(), actor);
}

void Pipeline::staff_close(const TicketRow& ticket, const std::string& reason, const std::string& actor) {
  const auto text = close_reason_text(reason);
  if (!text) throw std::invalid_argument("unknown closing reason '" + reason + "'");
  if (ticket.status == "closed") return;
  SQLite::Database& db = store_.db();
  set_ticket_status(db, ticket, "closed", clock_(), actor, reason);
  const rules::Desk& desk = desk_of(ticket);
  Outgoing m;
  m.desk = &desk;
  m.ticket = &ticket;
  // One template per reason when the deployment has it, else the generic notice.
  m.template_name = runtime_.templates->has("closed_" + reason) ? "closed_" + reason : "closed";
  m.values = {{"close_reason", reason}, {"close_reason_text", *text}, {"customer_name", ticket.customer_name()},
              {"closed_at", rules::format_japanese(clock_(), kJapan)}};
  m.to_address = ticket.requester;
  m.kind = "closing_notice";
  m.auto_submitted = "auto-generated";
  m.references = ticket_message_ids(db, ticket.id, config_.staff);
  if (!m.references.empty()) m.in_reply_to = m.references.back();
  queue_mail(m);
}

int Pipeline::release_queued() {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  std::map<std::string, std::vector<TicketRow>> by_desk;
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  {
    SQLite::Statement q(db, "SELECT id FROM tickets WHERE status = 'queued' AND accepted_at <= ? ORDER BY id");
    q.bind(1, to_unix(now));
    std::vector<std::int64_t> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    for (auto id : ids) {
      auto t = load_ticket(db, id);
      set_ticket_status(db, *t, "open", now, "system");
      by_desk[t->desk].push_back(*t);
    }
  }
  int released = 0;
  for (const auto& [desk_id, tickets] : by_desk) {
    released += static_cast<int>(tickets.size());
    const rules::Desk* desk = runtime_.policy->desk(desk_id);
    if (!desk) continue;
    templates::Values v{{"ticket_count", std::to_string(tickets.size())},
                        {"opened_at", rules::format_japanese(now, kJapan)}};
    auto& rows = v.lists["tickets"];
    for (const auto& t : tickets) {
      SQLite::Statement q(db, "SELECT received_at, accepted_at, first_response_due, flagged FROM tickets WHERE id = ?");
      q.bind(1, t.id);
      q.executeStep();
      rows.push_back({{"ticket_number", t.number},
                      {"original_subject", display_subject(t.subject)},
                      {"requester", t.requester},
                      {"received_at", rules::format_japanese(from_unix(q.getColumn(0).getInt64()), kJapan)},
                      {"accepted_at", rules::format_japanese(from_unix(q.getColumn(1).getInt64()), kJapan)},
                      {"due_at", q.getColumn(2).isNull() ? std::string("-")
                                                        : rules::format_japanese(from_unix(q.getColumn(2).getInt64()), kJapan)},
                      {"flagged", q.getColumn(3).getInt() ? "要確認" : ""}});
    }
    notify_staff(*desk, "staff_digest", nullptr, v);
    log_event(spdlog::level::info, "queue_released",
              {{"desk", desk_id}, {"tickets", std::to_string(tickets.size())}});
  }
  tx.commit();
  return released;
}

int Pipeline::auto_close() {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  struct Candidate {
    std::int64_t id;
    sys_seconds since;
    std::optional<sys_seconds> warned;
  };
  std::vector<Candidate> candidates;
  {
    SQLite::Statement q(db,
                        "SELECT id, COALESCE(status_since, created_at), auto_close_warned_at "
                        "FROM tickets WHERE status = 'waiting_customer'");
    while (q.executeStep()) {
      Candidate c{q.getColumn(0).getInt64(), from_unix(q.getColumn(1).getInt64()), std::nullopt};
      if (!q.getColumn(2).isNull()) c.warned = from_unix(q.getColumn(2).getInt64());
      candidates.push_back(c);
    }
  }
  int changed = 0;
  for (const auto& c : candidates) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto t = load_ticket(db, c.id);
    const rules::Desk* desk = runtime_.policy->desk(t->desk);
    if (!desk || desk->auto_close_warn_days <= 0) continue;
    const rules::BusinessCalendar cal(desk->hours);
    Outgoing m;
    m.desk = desk;
    m.ticket = &*t;
    m.to_address = t->requester;
    m.auto_submitted = "auto-generated";
    m.references = ticket_message_ids(db, t->id, config_.staff);
    if (!m.references.empty()) m.in_reply_to = m.references.back();
    const bool warning = !c.warned || *c.warned < c.since;
    if (warning) {
      if (cal.add_business_days(c.since, desk->auto_close_warn_days) > now) continue;
      const sys_seconds close_at = cal.add_business_days(now, std::max(desk->auto_close_days, 1));
      m.template_name = "auto_close_warning";
      m.kind = "auto_close_warning";
      m.values = {{"customer_name", t->customer_name()},
                  {"close_at", rules::format_japanese(close_at, kJapan)}};
      queue_mail(m);
      SQLite::Statement upd(db, "UPDATE tickets SET auto_close_warned_at = ? WHERE id = ?");
      upd.bind(1, to_unix(now));
      upd.bind(2, t->id);
      upd.exec();
      add_ticket_event(db, t->id, now, "system", "auto_close_warning_sent", "");
    } else {
      if (cal.add_business_days(*c.warned, std::max(desk->auto_close_days, 1)) > now) continue;
      set_ticket_status(db, *t, "closed", now, "system", "agreed");
      m.template_name = "auto_closed";
      m.kind = "closing_notice";
      m.values = {{"customer_name", t->customer_name()},
                  {"close_reason_text", *close_reason_text("agreed")},
                  {"closed_at", rules::format_japanese(now, kJapan)}};
      queue_mail(m);
    }
    tx.commit();
    log_event(spdlog::level::info, warning ? "ticket_auto_close_warned" : "ticket_auto_closed",
              {{"ticket", t->number}, {"desk", desk->id}});
    ++changed;
  }
  return changed;
}

int Pipeline::report_overdue() {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  struct Overdue {
    std::int64_t id;
    std::string number, desk;
    sys_seconds due;
  };
  std::vector<Overdue> found;
  {
    SQLite::Statement q(db, std::string("SELECT id, number, desk, first_response_due FROM tickets WHERE ") +
                                kOverdueCondition + " AND overdue_logged_at IS NULL");
    q.bind(":now", to_unix(now));
    while (q.executeStep())
      found.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       from_unix(q.getColumn(3).getInt64())});
  }
  for (const auto& o : found) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upd(db, "UPDATE tickets SET overdue_logged_at = ? WHERE id = ?");
    upd.bind(1, to_unix(now));
    upd.bind(2, o.id);
    upd.exec();
    add_ticket_event(db, o.id, now, "system", "first_response_overdue", rules::format_iso8601(o.due, kJapan));
    tx.commit();
    log_event(spdlog::level::warn, "ticket_overdue",
              {{"ticket", o.number}, {"desk", o.desk}, {"due", rules::format_iso8601(o.due, kJapan)}});
  }
  return static_cast<int>(found.size());
}

}  // namespace madoguchi::daemon

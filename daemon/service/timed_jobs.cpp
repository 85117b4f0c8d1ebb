// timed_jobs.cpp — see timed_jobs.h.
#include "daemon/service/timed_jobs.h"

#include "daemon/log/log.h"
#include "daemon/service/lifecycle.h"
#include "daemon/service/mailer.h"
#include "daemon/service/staff_notice.h"
#include "rules/calendar.h"

#include <algorithm>
#include <map>

namespace madoguchi::daemon {
namespace {

std::string japanese(std::chrono::sys_seconds t) { return rules::format_japanese(t, rules::kJapanOffset); }

// One row of the staff digest.
// A digest entry shows the start of the customer's text, so staff can sort the queue from it.
constexpr std::size_t kDigestExcerptBytes = 600;

templates::Values digest_row(Context& ctx, const TicketRow& t) {
  return {{"ticket_number", t.number},
          {"customer_text", digest_excerpt(ctx, t, kDigestExcerptBytes)},
          {"original_subject", display_subject(t.subject)},
          {"requester", t.requester},
          {"received_at", japanese(t.received_at)},
          {"accepted_at", japanese(t.accepted_at)},
          {"due_at", t.first_response_due ? japanese(*t.first_response_due) : std::string("-")},
          {"flagged", t.flagged ? "要確認" : ""}};
}

// The warning before an auto-close, or the close itself, for one ticket; false when neither
// is due yet.
bool auto_close_step(Context& ctx, Transaction& tx, const TicketRow& t, const rules::Desk& desk, bool& warned) {
  const auto now = ctx.now();
  const rules::BusinessCalendar cal(desk.hours);
  const auto since = t.status_since.value_or(t.created_at);
  Outgoing m = to_requester(ctx, t, desk);
  m.auto_submitted = "auto-generated";
  warned = !t.auto_close_warned_at || *t.auto_close_warned_at < since;
  if (warned) {
    if (cal.add_business_days(since, desk.auto_close_warn_days) > now) return false;
    const auto close_at = cal.add_business_days(now, std::max(desk.auto_close_days, 1));
    m.template_name = "auto_close_warning";
    m.kind = "auto_close_warning";
    m.values["close_at"] = rules::format_japanese(close_at, desk.hours.utc_offset);
    queue_mail(ctx, tx, m);
    record_auto_close_warning(tx, t.id, now);
    add_history(tx, t.id, now, "system", HistoryEvent::auto_close_warning_sent, "");
    return true;
  }
  if (cal.add_business_days(*t.auto_close_warned_at, std::max(desk.auto_close_days, 1)) > now) return false;
  change_status(ctx, tx, t, TicketStatus::closed, "system", rules::CloseReason::agreed);
  m.template_name = "auto_closed";
  m.kind = "closing_notice";
  m.values.insert({{"close_reason_text", std::string(rules::japanese_text(rules::CloseReason::agreed))},
                   {"closed_at", rules::format_japanese(now, desk.hours.utc_offset)}});
  queue_mail(ctx, tx, m);
  return true;
}

}  // namespace

int release_queued(Context& ctx) {
  const auto now = ctx.now();
  Transaction tx(ctx.store);
  std::map<std::string, std::vector<TicketRow>> by_desk;
  for (const TicketRow& t : queued_due(ctx.store, now)) {
    change_status(ctx, tx, t, TicketStatus::open, "system");
    by_desk[t.desk].push_back(t);
  }
  int released = 0;
  for (const auto& [desk_id, tickets] : by_desk) {
    released += static_cast<int>(tickets.size());
    const rules::Desk* desk = ctx.policy().desk(desk_id);
    if (!desk) continue;
    templates::Values v{{"ticket_count", std::to_string(tickets.size())}, {"opened_at", japanese(now)}};
    auto& rows = v.lists["tickets"];
    for (const auto& t : tickets) rows.push_back(digest_row(ctx, t));
    notify_staff(ctx, tx, *desk, "staff_digest", nullptr, v);
    log_event(spdlog::level::info, Event::queue_released, {{"desk", desk_id}, {"tickets", std::to_string(tickets.size())}});
  }
  tx.commit();
  return released;
}

int auto_close(Context& ctx) {
  int changed = 0;
  for (const TicketRow& candidate : tickets_with_status(ctx.store, TicketStatus::waiting_customer)) {
    Transaction tx(ctx.store);
    const auto t = load_ticket(ctx.store, candidate.id);  // as it is now, inside the transaction
    if (!t || t->status != TicketStatus::waiting_customer) continue;
    const rules::Desk* desk = ctx.policy().desk(t->desk);
    if (!desk || desk->auto_close_warn_days <= 0) continue;
    bool warned = false;
    if (!auto_close_step(ctx, tx, *t, *desk, warned)) continue;
    tx.commit();
    log_event(spdlog::level::info, warned ? Event::ticket_auto_close_warned : Event::ticket_auto_closed,
              {{"ticket", t->number}, {"desk", desk->id}});
    ++changed;
  }
  return changed;
}

int report_overdue(Context& ctx) {
  const auto now = ctx.now();
  const auto found = overdue_tickets(ctx.store, now, true);
  for (const TicketRow& t : found) {
    const std::string due = rules::format_iso8601(*t.first_response_due, rules::kJapanOffset);
    Transaction tx(ctx.store);
    record_overdue_logged(tx, t.id, now);
    add_history(tx, t.id, now, "system", HistoryEvent::first_response_overdue, due);
    tx.commit();
    log_event(spdlog::level::warn, Event::ticket_overdue, {{"ticket", t.number}, {"desk", t.desk}, {"due", due}});
  }
  return static_cast<int>(found.size());
}

}  // namespace madoguchi::daemon

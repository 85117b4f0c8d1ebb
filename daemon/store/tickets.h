// tickets.h — ticket rows and their history (SPEC.md §5). A ticket and the outbox rows it
// causes are written in one Transaction; every status change names the status it expects.
#pragma once

#include "daemon/store/states.h"
#include "daemon/store/store.h"
#include "rules/close_reasons.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// What a history entry records.
enum class HistoryEvent {
  ticket_opened, status_changed, ticket_reopened, ticket_closed, note, staff_reply_sent,
  customer_follow_up, auto_reply_received, staff_command_rejected, auto_close_warning_sent,
  first_response_overdue, staff_mail_unverified,
};
template <> struct StateNames<HistoryEvent> {
  static constexpr std::array<std::string_view, 12> names{
      "ticket_opened", "status_changed", "ticket_reopened", "ticket_closed", "note",
      "staff_reply_sent", "customer_follow_up", "auto_reply_received", "staff_command_rejected",
      "auto_close_warning_sent", "first_response_overdue", "staff_mail_unverified"};
};

struct NewTicket {
  std::string desk;
  std::optional<std::string> tenant;
  std::string requester;       // lower-case address
  std::string requester_name;  // the From display name ("山田 太郎"), may be empty
  std::string subject;
  TicketStatus status = TicketStatus::open;  // queued or open
  std::string outcome;
  std::optional<std::string> rule;
  std::optional<std::string> reason;
  bool flagged = false;  // needs a person's look (content rule flag, parse problems)
  std::chrono::sys_seconds received_at{};
  std::chrono::sys_seconds accepted_at{};
  std::optional<std::chrono::sys_seconds> first_response_due;
  std::optional<std::int64_t> parent;  // the closed ticket this one continues
};

struct TicketRow {
  std::int64_t id = 0;
  std::string number;  // "MG-000123"
  TicketStatus status = TicketStatus::open;
  std::string desk;
  std::optional<std::string> tenant;
  std::string requester;
  std::string requester_name;
  std::string subject;
  std::string outcome;
  std::optional<std::string> rule, reason;
  bool flagged = false;
  std::chrono::sys_seconds received_at{}, accepted_at{}, created_at{};
  std::optional<std::chrono::sys_seconds> first_response_due, closed_at, status_since,
      auto_close_warned_at, first_responded_at;
  std::optional<std::string> close_reason;
  std::optional<std::int64_t> parent;

  // How customer mail addresses the requester: the display name, else the address.
  const std::string& customer_name() const {
    return requester_name.empty() ? requester : requester_name;
  }
};

// "MG-000123" for row id 123.
std::string ticket_number(std::int64_t id);

TicketRow create_ticket(Transaction& tx, const NewTicket& ticket, std::chrono::sys_seconds now);
std::optional<TicketRow> load_ticket(Store& store, std::int64_t id);
std::optional<TicketRow> load_ticket(Store& store, std::string_view number);

// Appends an entry (who, when, what, why) to a ticket's history.
void add_history(Transaction& tx, std::int64_t ticket_id, std::chrono::sys_seconds at,
                 std::string_view actor, HistoryEvent event, std::string_view detail);

// Changes `ticket`'s status from ticket.status to `to` and records it in the history;
// closing needs a reason, leaving `closed` clears it. Returns false and changes nothing when
// the row's status is no longer ticket.status.
bool set_ticket_status(Transaction& tx, const TicketRow& ticket, TicketStatus to,
                       std::chrono::sys_seconds now, std::string_view actor,
                       std::optional<rules::CloseReason> reason = std::nullopt);

void flag_ticket(Transaction& tx, std::int64_t id);
// Sets first_responded_at unless it is set already.
void record_first_response(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at);
void record_auto_close_warning(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at);
void record_overdue_logged(Transaction& tx, std::int64_t id, std::chrono::sys_seconds at);

// Queued tickets whose acceptance time has come, oldest first.
std::vector<TicketRow> queued_due(Store& store, std::chrono::sys_seconds now);
std::vector<TicketRow> tickets_with_status(Store& store, TicketStatus status);
// Past their first-response due time without a staff reply and not closed; `unlogged_only`
// leaves out those already logged as overdue.
std::vector<TicketRow> overdue_tickets(Store& store, std::chrono::sys_seconds now, bool unlogged_only);

struct TicketFilter {
  std::string desk, tenant;  // "" = any
  std::optional<TicketStatus> status;
  std::optional<std::chrono::sys_seconds> overdue_at;  // only overdue at this instant
};
// Matching tickets, oldest first.
std::vector<TicketRow> list_tickets(Store& store, const TicketFilter& filter);

struct HistoryEntry {
  std::chrono::sys_seconds at{};
  std::string actor, event, detail;
};
std::vector<HistoryEntry> ticket_history(Store& store, std::int64_t ticket_id);

}  // namespace madoguchi::daemon

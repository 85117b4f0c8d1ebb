// staff_work.cpp — see staff_work.h.
#include "daemon/service/staff_work.h"

#include "daemon/service/lifecycle.h"
#include "daemon/service/mailer.h"
#include "daemon/service/staff_mail.h"
#include "rules/calendar.h"

#include <algorithm>

namespace madoguchi::daemon {

void staff_reply(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& text,
                 std::string_view actor) {
  const rules::Desk& desk = ctx.desk_of(ticket);
  Outgoing m = to_requester(ctx, ticket, desk);
  m.template_name = "staff_reply";
  m.values = {{"reply_body", text}, {"customer_name", ticket.customer_name()}};
  m.kind = "staff_reply";
  const std::string id = queue_mail(ctx, tx, m);
  if (id.empty()) throw std::runtime_error("the desk has no staff_reply template");
  add_history(tx, ticket.id, ctx.now(), actor, HistoryEvent::staff_reply_sent, id);
  record_first_response(tx, ticket.id, ctx.now());
  if (ticket.status != TicketStatus::closed && ticket.status != TicketStatus::waiting_customer)
    change_status(ctx, tx, ticket, TicketStatus::waiting_customer, actor);
}

void staff_note(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& text,
                std::string_view actor) {
  add_history(tx, ticket.id, ctx.now(), actor, HistoryEvent::note, text);
}

void staff_set_status(Context& ctx, Transaction& tx, const TicketRow& ticket, TicketStatus status,
                      std::string_view actor) {
  if (!is_settable_status(status))
    throw std::invalid_argument("cannot set status '" + std::string(to_string(status)) + "'");
  if (ticket.status == status) return;
  change_status(ctx, tx, ticket, status, actor);
}

void staff_close(Context& ctx, Transaction& tx, const TicketRow& ticket, rules::CloseReason reason,
                 std::string_view actor) {
  if (ticket.status == TicketStatus::closed) return;
  change_status(ctx, tx, ticket, TicketStatus::closed, actor, reason);
  const rules::Desk& desk = ctx.desk_of(ticket);
  Outgoing m = to_requester(ctx, ticket, desk);
  const std::string name(rules::to_string(reason));
  // One template per reason when the deployment has it, else the generic notice.
  m.template_name = ctx.templates().has("closed_" + name) ? "closed_" + name : "closed";
  m.values = {{"close_reason", name},
              {"close_reason_text", std::string(rules::japanese_text(reason))},
              {"customer_name", ticket.customer_name()},
              {"closed_at", rules::format_japanese(ctx.now(), desk.hours.utc_offset)}};
  m.kind = "closing_notice";
  m.auto_submitted = "auto-generated";
  queue_mail(ctx, tx, m);
}

void apply_staff_mail(Context& ctx, Transaction& tx, const TicketRow& ticket,
                      const parsers::ParsedMail& mail, const std::string& sender, ProcessedMail& result) {
  const StaffMail staff = parse_staff_mail(mail.text);
  if (!staff.errors.empty()) {
    // Nothing is applied from a mail with a command error: the staff member fixes and resends.
    std::string all;
    for (const auto& e : staff.errors) all += (all.empty() ? "" : "; ") + e;
    add_history(tx, ticket.id, ctx.now(), sender, HistoryEvent::staff_command_rejected, all);
    result.action = MailAction::staff_command;
    result.note = "rejected: " + all;
    return;
  }
  const bool noted = std::any_of(staff.commands.begin(), staff.commands.end(),
                                 [](const StaffCommand& c) { return c.kind == StaffCommandKind::note; });
  result.action = noted ? MailAction::staff_note
                  : !staff.commands.empty() ? MailAction::staff_command
                                            : MailAction::staff_reply;
  if (!staff.text.empty()) {
    if (staff.internal_note)
      staff_note(ctx, tx, ticket, staff.text, sender);
    else
      staff_reply(ctx, tx, ticket, staff.text, sender);
  }
  for (const auto& c : staff.commands) {
    const auto current = load_ticket(tx.store(), ticket.id);
    switch (c.kind) {
      case StaffCommandKind::close:
        staff_close(ctx, tx, *current, *rules::parse_close_reason(c.argument), sender);
        break;
      case StaffCommandKind::status:
        staff_set_status(ctx, tx, *current, *parse_state<TicketStatus>(c.argument), sender);
        break;
      case StaffCommandKind::reopen: staff_set_status(ctx, tx, *current, TicketStatus::open, sender); break;
      case StaffCommandKind::note: break;
    }
  }
}

StaffActionResult run_staff_action(Context& ctx, const StaffAction& a) {
  using Code = StaffActionResult::Code;
  if ((a.kind == StaffActionKind::reply || a.kind == StaffActionKind::note) && a.text.empty())
    return {Code::refused, std::string("the ") + (a.kind == StaffActionKind::reply ? "reply" : "note") + " text is empty"};
  try {
    Transaction tx(ctx.store);
    const auto ticket = load_ticket(ctx.store, a.ticket);
    if (!ticket) return {Code::no_such_ticket, "no ticket " + a.ticket};
    switch (a.kind) {
      case StaffActionKind::reply: staff_reply(ctx, tx, *ticket, a.text, a.actor); break;
      case StaffActionKind::note: staff_note(ctx, tx, *ticket, a.text, a.actor); break;
      case StaffActionKind::status:
        if (!a.status || !is_settable_status(*a.status)) return {Code::refused, "this status cannot be set"};
        staff_set_status(ctx, tx, *ticket, *a.status, a.actor);
        break;
      case StaffActionKind::close:
        // Like reopen of an open ticket: the operator's picture of the ticket is off; say so.
        if (ticket->status == TicketStatus::closed) return {Code::refused, "ticket is already closed"};
        if (!a.reason) return {Code::refused, "a closing reason is required"};
        staff_close(ctx, tx, *ticket, *a.reason, a.actor);
        break;
      case StaffActionKind::reopen:
        if (ticket->status != TicketStatus::closed) return {Code::refused, "ticket is not closed"};
        change_status(ctx, tx, *ticket, TicketStatus::open, a.actor);
        break;
    }
    tx.commit();
  } catch (const std::exception& e) {
    return {Code::failed, e.what()};
  }
  return {};
}

}  // namespace madoguchi::daemon

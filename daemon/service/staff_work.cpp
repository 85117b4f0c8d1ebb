// staff_work.cpp — see staff_work.h.
#include "daemon/service/staff_work.h"

#include "daemon/service/lifecycle.h"
#include "daemon/service/mailer.h"
#include "daemon/service/staff_mail.h"
#include "daemon/service/staff_notice.h"
#include "daemon/service/staff_reply_address.h"
#include "rules/calendar.h"

#include <algorithm>

namespace madoguchi::daemon {
namespace {

const rules::Desk::RuleInfo* desk_rule(const rules::Desk& desk, std::string_view id) {
  const auto it = std::find_if(desk.rules.begin(), desk.rules.end(), [&](const auto& r) { return r.id == id; });
  return it == desk.rules.end() ? nullptr : &*it;
}

}  // namespace

void staff_reply(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& text,
                 std::string_view actor) {
  const rules::Desk& desk = ctx.desk_of(ticket);
  Outgoing m = to_requester(ctx, ticket, desk);
  m.template_name = "staff_reply";
  m.values["reply_body"] = text;
  m.values["staff_name"] = ctx.staff_name(actor);
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
  // Closed as out of scope: the rule that decided the ticket gives its reason and citation.
  if (reason == rules::CloseReason::out_of_scope && ticket.rule) {
    if (const auto* rule = desk_rule(desk, *ticket.rule); rule && rule->outcome == rules::Outcome::out_of_scope)
      m.values.insert({{"reason_text", rule->reason_ja}, {"cite", rule->cite}});
  }
  m.values.insert({{"close_reason", name},
                   {"close_reason_text", std::string(rules::japanese_text(reason))},
                   {"closed_at", rules::format_japanese(ctx.now(), desk.hours.utc_offset)}});
  m.kind = "closing_notice";
  m.auto_submitted = "auto-generated";
  queue_mail(ctx, tx, m);
}

namespace {

// What a staff mail may say on its first lines, for the answer to a refused command.
std::string accepted_commands() {
  std::string out = "  #close 理由　　チケットを完了し、お客様に完了のお知らせを送ります。理由：\n";
  for (const auto& r : rules::close_reasons())
    out += "      " + std::string(r.name) + "（" + std::string(r.japanese) + "）\n";
  out += "  #status 状態　状態を変えます。状態：open, investigating, waiting_customer, awaiting_purchase\n";
  out += "  #reopen　　　　完了したチケットを再開します。\n";
  out += "  #note　　　　　本文を社内メモとして残します（お客様には送りません）。\n";
  return out;
}

// A staff member whose e-mailed command was refused hears why at once (only authenticated
// staff get here), by the keyed address of their notices, so that they can fix and resend.
void answer_rejected_command(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& sender,
                             const std::string& errors) {
  const rules::Desk& desk = ctx.desk_of(ticket);
  Outgoing m;
  m.desk = &desk;
  m.ticket = &ticket;
  m.template_name = "staff_command_rejected";
  m.values = {{"command_errors", errors}, {"accepted_commands", accepted_commands()},
              {"status", status_words(ticket.status)}};
  m.to_address = sender;
  m.reply_to = keyed_reply_address(ctx.tag_key, desk, ticket.number, sender);
  m.kind = "staff_notice";
  m.auto_submitted = "auto-replied";
  queue_mail(ctx, tx, m);
}

}  // namespace

std::string staff_refuse(Context& ctx, Transaction& tx, const TicketRow& ticket, std::string_view rule_id,
                         std::string_view actor) {
  const rules::Desk& desk = ctx.desk_of(ticket);
  const std::string id = rule_id.empty() ? ticket.rule.value_or("") : std::string(rule_id);
  if (id.empty()) return "the ticket was decided by no rule: name one with --rule ID";
  const auto* rule = desk_rule(desk, id);
  if (!rule) return "desk " + desk.id + " has no rule " + id;
  if (rule->outcome != rules::Outcome::out_of_scope) return "rule " + id + " is not an out-of-scope rule";
  const std::string kind = rule->template_name.empty() ? std::string("out_of_scope") : rule->template_name;
  Outgoing m = to_requester(ctx, ticket, desk);
  auto it = desk.templates.find(kind);
  m.template_name = it != desk.templates.end() ? it->second : kind;
  m.values.insert({{"reason_text", rule->reason_ja},
                   {"cite", rule->cite},
                   {"received_at", rules::format_japanese(ticket.received_at, desk.hours.utc_offset)}});
  m.kind = "refusal";
  if (queue_mail(ctx, tx, m).empty()) return "template " + m.template_name + " is missing";
  add_history(tx, ticket.id, ctx.now(), actor, HistoryEvent::staff_reply_sent, "refusal rule=" + id);
  record_first_response(tx, ticket.id, ctx.now());
  change_status(ctx, tx, ticket, TicketStatus::closed, actor, rules::CloseReason::out_of_scope);
  return {};
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
    answer_rejected_command(ctx, tx, ticket, sender, all);
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
      case StaffActionKind::refuse:
        if (ticket->status == TicketStatus::closed) return {Code::refused, "ticket is already closed"};
        if (std::string why = staff_refuse(ctx, tx, *ticket, a.rule, a.actor); !why.empty())
          return {Code::refused, why};
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

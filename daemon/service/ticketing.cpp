// ticketing.cpp — see ticketing.h.
#include "daemon/service/ticketing.h"

#include "daemon/log/log.h"
#include "daemon/service/bounces.h"
#include "daemon/service/lifecycle.h"
#include "daemon/service/mailer.h"
#include "daemon/service/staff_work.h"
#include "daemon/service/threading.h"
#include "daemon/store/outbox.h"
#include "rules/calendar.h"

#include <algorithm>

namespace madoguchi::daemon {
namespace {

bool has_warning(const parsers::ParsedMail& m, parsers::WarningCode code) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [code](const parsers::Warning& w) { return w.code == code; });
}

bool has_critical_warning(const parsers::ParsedMail& m) {
  return std::any_of(m.warnings.begin(), m.warnings.end(), [](const parsers::Warning& w) { return w.critical; });
}

bool is_refusal(const rules::Decision& d) {
  return d.outcome == rules::Outcome::redirect ||
         (d.outcome == rules::Outcome::out_of_scope && d.action == rules::Action::reply) ||
         d.identity != rules::Identity::eligible;
}

std::string japanese(std::chrono::sys_seconds t, const rules::Desk& desk) {
  return rules::format_japanese(t, desk.hours.utc_offset);
}

void handle_bounce(Transaction& tx, const TicketStageInput& in, std::chrono::sys_seconds now,
                   ProcessedMail& result) {
  result.action = MailAction::bounce;
  // A hard bounce marks our message and counts towards suppressing automatic mail to the
  // address; a delay notice marks nothing. Never answered either way.
  const DsnSummary dsn = summarize_dsn(in.raw);
  const bool marked = !in.mail->dsn_original_message_id.empty() &&
                      mark_bounced(tx, in.mail->dsn_original_message_id, dsn, now);
  result.note = !marked ? "bounce for an unknown message"
                : dsn.hard ? "outbox message marked bounced (" + dsn.status + ")"
                           : (dsn.delayed ? "delay notice" : "delivery notice without failure");
}

// Why no automatic reply may go to this mail's sender, or "" when one may.
std::string why_no_reply(Context& ctx, const TicketStageInput& in) {
  const rules::Decision& d = *in.decision;
  if (!d.auto_reply || d.template_name.empty())
    return d.loop_reason.value_or("no automatic reply for this outcome");
  if (in.suppress_auto_reply)
    return has_warning(*in.mail, parsers::WarningCode::truncated_message) ? "oversize_mail" : "first_run_old_mail";
  if (in.sender.empty()) return "no_sender";
  if (auto_replies_since(ctx.store, in.sender, ctx.now() - std::chrono::hours(1)) >= ctx.settings.auto_replies_per_hour)
    return "rate_limited";
  return "";
}

// The acknowledgement, refusal or redirect of a new ticket. True when a refusal closed it.
bool send_automatic_reply(Context& ctx, Transaction& tx, const TicketStageInput& in, const TicketRow& ticket,
                          ProcessedMail& result) {
  const rules::Decision& d = *in.decision;
  const parsers::ParsedMail& mail = *in.mail;
  const std::string from_name = mail.from.empty() ? std::string() : mail.from.front().name;
  Outgoing m;
  m.desk = in.desk;
  m.ticket = &ticket;
  m.template_name = d.template_name;
  m.values = {
      {"customer_name", from_name.empty() ? in.sender : from_name},
      {"received_at", japanese(d.received_at, *in.desk)},
      {"accepted_at", japanese(d.accepted_at, *in.desk)},
      {"due_at", japanese(d.first_response_due, *in.desk)},
      {"contract", d.contract.value_or("")},
      {"reason_text", d.reason_text.value_or("")},
  };
  if (const rules::Tenant* tenant = ctx.tenant(d.tenant)) m.values["company"] = tenant->company;
  m.to_address = in.sender;
  m.to_name = from_name;
  m.kind = is_refusal(d) ? "refusal" : "acknowledgement";
  m.auto_submitted = "auto-replied";
  m.in_reply_to = mail.message_id;
  m.references = mail.references;
  if (!mail.message_id.empty()) m.references.push_back(mail.message_id);
  m.cause = in.message;
  if (queue_mail(ctx, tx, m).empty()) {
    result.note = "template missing: " + d.template_name;
    return false;
  }
  record_auto_reply(tx, in.sender, ctx.now());
  result.reply = d.template_name;
  if (!is_refusal(d)) return false;
  change_status(ctx, tx, ticket, TicketStatus::closed, "system", rules::CloseReason::out_of_scope);
  return true;
}

void open_ticket(Context& ctx, Transaction& tx, const TicketStageInput& in, std::optional<std::int64_t> parent,
                 ProcessedMail& result) {
  const rules::Decision& d = *in.decision;
  const parsers::ParsedMail& mail = *in.mail;
  result.action = MailAction::new_ticket;
  NewTicket t;
  t.desk = in.desk->id;
  t.tenant = d.tenant;
  t.requester = in.sender;
  if (!mail.from.empty()) t.requester_name = mail.from.front().name;
  t.subject = mail.subject;
  t.status = d.queued ? TicketStatus::queued : TicketStatus::open;
  t.outcome = result.outcome;
  t.rule = d.rule;
  t.reason = d.reason;
  t.flagged = d.action == rules::Action::flag || has_critical_warning(mail);
  t.received_at = d.received_at;
  t.accepted_at = d.accepted_at;
  t.first_response_due = d.first_response_due;
  t.parent = parent;
  const TicketRow ticket = create_ticket(tx, t, ctx.now());
  result.ticket = ticket.number;
  add_history(tx, ticket.id, ctx.now(), "system", HistoryEvent::ticket_opened,
              result.outcome + (d.rule ? " rule=" + *d.rule : "") + (parent ? " parent=" + ticket_number(*parent) : ""));
  on_ticket_opened(ctx, tx, ticket, d);

  bool closed_by_refusal = false;
  if (const std::string why_not = why_no_reply(ctx, in); !why_not.empty()) {
    result.note = why_not;
    // A refusal that cannot be sent must not silently close: a person looks at it.
    if (is_refusal(d)) flag_ticket(tx, ticket.id);
  } else {
    closed_by_refusal = send_automatic_reply(ctx, tx, in, ticket, result);
  }
  // Staff hear of a new ticket at once, unless it waits for the opening (then the digest
  // lists it) or it was answered and closed automatically.
  if (!d.queued && !closed_by_refusal) {
    templates::Values v{{"requester", in.sender},
                        {"received_at", japanese(d.received_at, *in.desk)},
                        {"accepted_at", japanese(d.accepted_at, *in.desk)},
                        {"due_at", japanese(d.first_response_due, *in.desk)},
                        {"outcome", result.outcome},
                        {"rule", d.rule.value_or("")},
                        {"flagged", t.flagged ? "要確認" : ""}};
    notify_staff(ctx, tx, *in.desk, "staff_new_ticket", &ticket, v);
  }
}

// A customer's mail that threads to `t`.
void continue_ticket(Context& ctx, Transaction& tx, const TicketStageInput& in, const TicketRow& t,
                     ProcessedMail& result) {
  const auto now = ctx.now();
  const std::string mid = std::to_string(in.message);
  if (in.decision->outcome == rules::Outcome::auto_reply_received) {
    result.ticket = t.number;
    result.action = MailAction::auto_reply_ignored;
    result.note = in.decision->loop_reason.value_or("auto_reply");
    add_history(tx, t.id, now, "system", HistoryEvent::auto_reply_received, "message " + mid);
    return;
  }
  const bool closed = t.status == TicketStatus::closed;
  if (closed && t.closed_at && now - *t.closed_at > in.desk->reopen_window) {
    // Too late to reopen: a new ticket that links the old one.
    open_ticket(ctx, tx, in, t.id, result);
    result.note = "continues closed " + t.number;
    return;
  }
  result.ticket = t.number;
  result.action = closed ? MailAction::reopened : MailAction::follow_up;
  add_history(tx, t.id, now, "customer", HistoryEvent::customer_follow_up, "message " + mid);
  if (closed || t.status == TicketStatus::waiting_customer)
    change_status(ctx, tx, t, TicketStatus::open, "customer");
  on_customer_mail(ctx, tx, t, in.message);
  templates::Values v{{"requester", t.requester},
                      {"received_at", japanese(now, *in.desk)},
                      {"status", closed ? "reopened" : "open"}};
  notify_staff(ctx, tx, *in.desk, "staff_follow_up", &t, v);
}

}  // namespace

void ticket_stage(Context& ctx, Transaction& tx, const TicketStageInput& in, ProcessedMail& result) {
  if (in.decision->outcome == rules::Outcome::bounce) {
    handle_bounce(tx, in, ctx.now(), result);
    return;
  }
  const bool from_staff = ctx.is_staff(in.sender);
  const ThreadResult thread = find_thread(ctx.store, *in.mail, ctx.tag_key, [&](const TicketRow& t) {
    return from_staff || sender_trusted(ctx, in.sender, t);
  });
  if (from_staff) {
    if (thread.match) {
      result.ticket = thread.match->ticket.number;
      apply_staff_mail(ctx, tx, thread.match->ticket, *in.mail, in.sender, result);
    } else {
      result.action = MailAction::staff_mail_ignored;
      result.note = "staff mail without a ticket tag";
    }
    return;
  }
  if (thread.rejected_tag)
    log_event(spdlog::level::warn, Event::thread_tag_rejected,
              {{"message", std::to_string(in.message)}, {"tag", *thread.rejected_tag},
               {"from", mask_address(in.sender)}});
  if (thread.match) {
    continue_ticket(ctx, tx, in, thread.match->ticket, result);
    return;
  }
  if (in.decision->outcome == rules::Outcome::auto_reply_received) {
    result.action = MailAction::auto_reply_ignored;
    result.note = in.decision->loop_reason.value_or("auto_reply");
    return;
  }
  open_ticket(ctx, tx, in, std::nullopt, result);
}

}  // namespace madoguchi::daemon

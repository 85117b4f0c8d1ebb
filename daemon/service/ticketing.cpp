// ticketing.cpp — see ticketing.h.
#include "daemon/service/ticketing.h"

#include "daemon/log/log.h"
#include "daemon/service/bounces.h"
#include "daemon/service/customer_text.h"
#include "daemon/service/lifecycle.h"
#include "daemon/service/mailer.h"
#include "daemon/service/staff_notice.h"
#include "daemon/service/staff_reply_address.h"
#include "daemon/service/staff_work.h"
#include "daemon/service/threading.h"
#include "daemon/store/outbox.h"
#include "daemon/store/sender_limits.h"
#include "rules/calendar.h"
#include "rules/identity.h"

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

// Failed tag checks from one sender in an hour after which its mail gets no automatic reply:
// a guesser learns nothing, and a person looks at the tickets (flagged).
constexpr int kTagRejectionsPerHour = 5;

// The From display name as our mail may echo it (customer_text.h), else "".
std::string display_name(const parsers::ParsedMail& mail) {
  return mail.from.empty() ? std::string() : greeting_name(mail.from.front().name);
}

// Staff notices for mail of `sender`, rate-limited per sender (staff_notices_per_hour) as
// automatic replies are, so one sender cannot flood staff; the ticket lists stay complete.
// Each notice carries the customer's new text and attachments (staff_notice.h). False when the
// limit held the notice back.
bool notify_staff_for(Context& ctx, Transaction& tx, const TicketStageInput& in, const std::string& template_name,
                      const TicketRow& ticket, templates::Values values) {
  if (!in.sender.empty()) {
    const int sent = sender_events_since(ctx.store, SenderEvent::staff_notice, in.sender, ctx.now() - std::chrono::hours(1));
    if (sent >= ctx.settings.staff_notices_per_hour) return false;
    record_sender_event(tx, SenderEvent::staff_notice, in.sender, ctx.now());
  }
  NoticeContent content = customer_mail_content(*in.mail, ticket.number, attachments_before(ctx, ticket.id) + 1,
                                                ctx.settings.staff_attachment_limit);
  for (auto& [k, v] : content.values) values[k] = std::move(v);
  const auto now_row = load_ticket(ctx.store, ticket.number);
  values["status"] = status_words(now_row ? now_row->status : ticket.status);
  notify_staff(ctx, tx, *in.desk, template_name, &ticket, values, content.attachments);
  return true;
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
  const auto hour_ago = ctx.now() - std::chrono::hours(1);
  if (sender_events_since(ctx.store, SenderEvent::auto_reply, in.sender, hour_ago) >= ctx.settings.auto_replies_per_hour)
    return "rate_limited";
  if (sender_events_since(ctx.store, SenderEvent::tag_rejected, in.sender, hour_ago) >= kTagRejectionsPerHour)
    return "tag_guessing";
  // A stranger's From that the envelope does not back: answering would relay to a victim.
  const auto& rp = in.mail->return_path;
  if (d.identity == rules::Identity::not_registered && rp && !rp->empty() &&
      !rules::domains_aligned(rules::address_domain(*rp), rules::address_domain(in.sender)))
    return "envelope_mismatch";
  return "";
}

// The acknowledgement, refusal or redirect of a new ticket. True when a refusal closed it.
bool send_automatic_reply(Context& ctx, Transaction& tx, const TicketStageInput& in, const TicketRow& ticket,
                          ProcessedMail& result) {
  const rules::Decision& d = *in.decision;
  const parsers::ParsedMail& mail = *in.mail;
  const std::string from_name = display_name(mail);
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
      {"cite", d.cite.value_or("")},
  };
  if (const rules::Tenant* tenant = ctx.tenant(d.tenant)) m.values["company"] = tenant->company;
  m.to_address = in.sender;
  m.to_name = from_name;
  m.kind = is_refusal(d) ? "refusal" : "acknowledgement";
  m.auto_submitted = "auto-replied";
  m.in_reply_to = mail.message_id;
  std::vector<std::string> refs = mail.references;
  if (!mail.message_id.empty()) refs.push_back(mail.message_id);
  m.references = capped_references(refs);
  if (m.in_reply_to.size() > 250) m.in_reply_to.clear();
  m.cause = in.message;
  if (queue_mail(ctx, tx, m).empty()) {
    result.note = "template missing: " + d.template_name;
    return false;
  }
  record_sender_event(tx, SenderEvent::auto_reply, in.sender, ctx.now());
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
  t.requester_name = display_name(mail);
  t.subject = mail.subject;
  t.status = d.queued ? TicketStatus::queued : TicketStatus::open;
  t.outcome = result.outcome;
  t.rule = d.rule;
  t.reason = d.reason;
  t.flagged = d.action == rules::Action::flag || has_critical_warning(mail) || in.unrouted;
  t.received_at = d.received_at;
  t.accepted_at = d.accepted_at;
  t.first_response_due = d.first_response_due;
  t.parent = parent;
  const TicketRow ticket = create_ticket(tx, t, ctx.now());
  result.ticket = ticket.number;
  add_history(tx, ticket.id, ctx.now(), "system", HistoryEvent::ticket_opened,
              result.outcome + (d.rule ? " rule=" + *d.rule : "") + (parent ? " parent=" + ticket_number(*parent) : "") +
                  (in.unrouted ? " unrouted" : ""));
  on_ticket_opened(ctx, tx, ticket, d);

  bool closed_by_refusal = false;
  // Unrouted mail is for a person to place: no automatic answer in the wrong desk's name.
  if (const std::string why_not = in.unrouted ? std::string("unrouted") : why_no_reply(ctx, in); !why_not.empty()) {
    result.note = why_not;
    // A refusal that cannot be sent must not silently close: a person looks at it; nor does
    // mail held back as tag guessing or as an envelope mismatch.
    if (is_refusal(d) || why_not == "tag_guessing" || why_not == "envelope_mismatch") flag_ticket(tx, ticket.id);
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
                        {"outcome", outcome_words(result.outcome)},
                        {"identity", identity_words(result.identity)},
                        {"contract", d.contract.value_or("")},
                        {"reason_text", d.reason_text.value_or("")},
                        {"cite", d.cite.value_or("")},
                        {"rule", d.rule.value_or("")},
                        {"flagged", t.flagged ? "要確認" : ""}};
    if (const rules::Tenant* tenant = ctx.tenant(d.tenant)) v["company"] = tenant->company;
    notify_staff_for(ctx, tx, in, "staff_new_ticket", ticket, v);
  }
}

// A customer's mail that threads to `t`.
void continue_ticket(Context& ctx, Transaction& tx, const TicketStageInput& in, const TicketRow& t,
                     ProcessedMail& result) {
  const auto now = ctx.now();
  const std::string mid = std::to_string(in.message);
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
                      {"reopened", closed ? "再開" : ""}};
  if (const rules::Tenant* tenant = ctx.tenant(t.tenant)) v["company"] = tenant->company;
  notify_staff_for(ctx, tx, in, "staff_follow_up", t, v);
}

// Mail from a staff address. Only authenticated staff speak as staff: a reply to the keyed
// address of that staff member's notice (which names its ticket), or mail with a trusted
// Authentication-Results field. Anything else is kept on the ticket it points at as an
// unverified internal message, flagged, nothing sent and no command applied. A staff
// auto-reply (out of office) is never relayed to the customer.
void staff_mail(Context& ctx, Transaction& tx, const TicketStageInput& in, ProcessedMail& result) {
  const auto now = ctx.now();
  const std::string mid = std::to_string(in.message);
  std::optional<TicketRow> target;
  bool keyed = false;
  if (auto number = keyed_reply_ticket(ctx.tag_key, *in.desk, *in.mail, in.sender))
    if (auto t = load_ticket(ctx.store, *number); t && t->desk == in.desk->id) {
      target = std::move(t);
      keyed = true;
    }
  if (!target) {
    const ThreadResult thread = find_thread(ctx.store, *in.mail, ctx.tag_key, [](const TicketRow&) { return false; });
    if (thread.match) target = thread.match->ticket;
  }
  if (!target) {
    result.action = MailAction::staff_mail_ignored;
    result.note = "staff mail without a ticket tag";
    return;
  }
  const TicketRow& t = *target;
  result.ticket = t.number;
  if (in.decision->outcome == rules::Outcome::auto_reply_received || in.decision->loop_reason) {
    result.action = MailAction::auto_reply_ignored;
    result.note = "staff auto-reply: " + in.decision->loop_reason.value_or("auto_reply");
    add_history(tx, t.id, now, in.sender, HistoryEvent::auto_reply_received, "message " + mid + " (staff)");
    return;
  }
  if (!keyed && !ctx.staff_authenticated(*in.mail, in.sender, *in.desk)) {
    result.action = MailAction::staff_mail_unverified;
    result.note = "staff address without authentication: kept internal";
    add_history(tx, t.id, now, in.sender, HistoryEvent::staff_mail_unverified, "message " + mid);
    flag_ticket(tx, t.id);
    log_event(spdlog::level::warn, Event::staff_mail_unverified,
              {{"message", mid}, {"ticket", t.number}, {"from", mask_address(in.sender)}});
    return;
  }
  apply_staff_mail(ctx, tx, t, *in.mail, in.sender, result);
  if (keyed && result.note.empty()) result.note = "by keyed reply address";
}

// Our own mail come back (a staff member's forward rule, an alias that includes the support
// address): from one of our desk addresses, or carrying a Message-ID we made. Never a
// customer's mail, never a ticket.
bool own_mail_returned(const Context& ctx, const TicketStageInput& in) {
  for (const auto& d : ctx.policy().desks())
    if (std::find(d.addresses.begin(), d.addresses.end(), in.sender) != d.addresses.end()) return true;
  const std::string& id = in.mail->message_id;
  const auto& domains = in.desk->message_id_domains;
  return id.starts_with("mg.") &&
         std::find(domains.begin(), domains.end(), rules::address_domain(id)) != domains.end();
}

}  // namespace

void ticket_stage(Context& ctx, Transaction& tx, const TicketStageInput& in, ProcessedMail& result) {
  if (in.decision->outcome == rules::Outcome::bounce) {
    handle_bounce(tx, in, ctx.now(), result);
    return;
  }
  if (own_mail_returned(ctx, in)) {
    result.action = MailAction::auto_reply_ignored;
    result.note = "our own mail come back";
    return;
  }
  if (ctx.is_staff(in.sender)) {
    staff_mail(ctx, tx, in, result);
    return;
  }
  const ThreadResult thread = find_thread(ctx.store, *in.mail, ctx.tag_key, [&](const TicketRow& t) {
    return sender_trusted(ctx, in.sender, in.decision->identity, t);
  });
  // A tag that does not verify counts against its sender unless the sender may continue the
  // ticket anyway (a requester whose client dropped the check).
  if (thread.rejected_tag && !in.sender.empty() && !(thread.match && thread.trusted)) {
    record_sender_event(tx, SenderEvent::tag_rejected, in.sender, ctx.now());
    log_event(spdlog::level::warn, Event::thread_tag_rejected,
              {{"message", std::to_string(in.message)}, {"tag", *thread.rejected_tag}, {"from", mask_address(in.sender)}});
  }
  if (in.decision->outcome == rules::Outcome::auto_reply_received) {
    result.action = MailAction::auto_reply_ignored;
    result.note = in.decision->loop_reason.value_or("auto_reply");
    if (thread.match && thread.trusted) {
      result.ticket = thread.match->ticket.number;
      add_history(tx, thread.match->ticket.id, ctx.now(), "system", HistoryEvent::auto_reply_received,
                  "message " + std::to_string(in.message));
    }
    return;
  }
  if (thread.match && thread.trusted) {
    continue_ticket(ctx, tx, in, thread.match->ticket, result);
    return;
  }
  if (thread.match) {
    // Pointed at a ticket its sender may not continue: a new ticket linking it, for staff to
    // merge if it belongs there.
    log_event(spdlog::level::warn, Event::thread_untrusted,
              {{"message", std::to_string(in.message)}, {"points_at", thread.match->ticket.number},
               {"from", mask_address(in.sender)}});
    open_ticket(ctx, tx, in, thread.match->ticket.id, result);
    result.note = (result.note.empty() ? "" : result.note + "; ") + "points at " + thread.match->ticket.number +
                  ", sender not trusted for it";
    return;
  }
  open_ticket(ctx, tx, in, std::nullopt, result);
}

}  // namespace madoguchi::daemon

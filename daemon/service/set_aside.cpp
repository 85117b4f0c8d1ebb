// set_aside.cpp — see set_aside.h.
#include "daemon/service/set_aside.h"

#include "daemon/log/log.h"
#include "daemon/service/mailer.h"
#include "daemon/service/routing.h"
#include "daemon/store/spool.h"
#include "daemon/store/tickets.h"
#include "parsers/parsed_mail.h"
#include "rules/calendar.h"

namespace madoguchi::daemon {

ProcessedMail set_aside(Context& ctx, const StoredMessage& msg, const std::string& reason) {
  ProcessedMail result;
  result.message = msg.id;
  result.mailbox = msg.mailbox;
  result.action = MailAction::new_ticket;
  const MailboxConfig* mailbox = ctx.mailbox(msg.mailbox);
  const std::string mailbox_desk = mailbox ? mailbox->desk : std::string();
  // What can still be read: the failure may be the spool file itself.
  std::optional<parsers::ParsedMail> mail;
  if (!msg.stub) {
    try {
      mail = parsers::parse_mail(read_file(ctx.store.spool_path(msg.sha256)));
    } catch (const std::exception&) {
    }
  }
  // The one routing function: the mail's desk, else the mailbox's, else the first.
  const rules::Desk* desk = route_mail(ctx.policy(), mail.value_or(parsers::ParsedMail{}), mailbox_desk).desk;
  if (!desk) throw std::runtime_error("no desk: the configuration has no desk");

  NewTicket t;
  t.desk = desk->id;
  if (mail && !mail->from.empty()) t.requester = rules::normalize_address(mail->from.front().address);
  t.subject = mail ? mail->subject : msg.stub ? "(取得できなかったメール)" : "(読み取れないメール)";
  t.status = TicketStatus::open;
  t.outcome = "set_aside";
  t.reason = reason;
  t.flagged = true;
  t.received_at = msg.received_at;
  t.accepted_at = ctx.now();
  Transaction tx(ctx.store);
  const TicketRow ticket = create_ticket(tx, t, ctx.now());
  const std::string detail = msg.stub ? "stub for mail that could not be fetched: " + reason
                                      : "set aside after " + std::to_string(msg.attempts) + " failed attempts: " + reason;
  add_history(tx, ticket.id, ctx.now(), "system", HistoryEvent::ticket_opened, detail);
  if (!mark_set_aside(tx, msg.id, ticket.id))
    throw StateConflict("message " + std::to_string(msg.id) + " was finished by another process");
  notify_staff(ctx, tx, *desk, "staff_new_ticket", &ticket,
               {{"requester", t.requester.empty() ? "(不明)" : t.requester},
                {"received_at", rules::format_japanese(msg.received_at, desk->hours.utc_offset)},
                {"accepted_at", rules::format_japanese(ctx.now(), desk->hours.utc_offset)},
                {"due_at", ""},
                {"outcome", "set_aside"},
                {"rule", ""},
                {"flagged", "要確認"}});
  tx.commit();
  result.ticket = ticket.number;
  result.desk = desk->id;
  result.outcome = "set_aside";
  result.note = detail;
  result.sender = mask_address(t.requester);
  result.subject = t.subject;
  log_event(spdlog::level::err, Event::message_set_aside,
            {{"message", std::to_string(msg.id)}, {"ticket", ticket.number}, {"desk", desk->id},
             {"attempts", std::to_string(msg.attempts)}, {"reason", reason}});
  return result;
}

}  // namespace madoguchi::daemon

// staff_work.h — what staff do to a ticket, the same from staff e-mail and from the `ticket`
// CLI: reply to the customer (in the desk's staff_reply template, on the ticket's thread),
// add an internal note, set a status, close with a completion reason, reopen.
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/processed_mail.h"
#include "parsers/parsed_mail.h"
#include "rules/close_reasons.h"

#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

// Inside the caller's transaction. staff_reply throws when the desk has no staff_reply
// template; every one throws StateConflict when the ticket changed meanwhile.
void staff_reply(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& text,
                 std::string_view actor);
void staff_note(Context& ctx, Transaction& tx, const TicketRow& ticket, const std::string& text,
                std::string_view actor);
// Sets a settable status (nothing when it is the status already).
void staff_set_status(Context& ctx, Transaction& tx, const TicketRow& ticket, TicketStatus status,
                      std::string_view actor);
// Sends the out-of-scope refusal of rule `rule_id` ("" = the rule that decided the ticket) —
// its template with its reason and citation — and closes with reason out_of_scope. Returns
// why not ("" when done): no such rule, not an out-of-scope rule, the template missing.
std::string staff_refuse(Context& ctx, Transaction& tx, const TicketRow& ticket, std::string_view rule_id,
                         std::string_view actor);
// Closes with a reason and queues the closing notice (nothing when already closed).
void staff_close(Context& ctx, Transaction& tx, const TicketRow& ticket, rules::CloseReason reason,
                 std::string_view actor);

// A mail from a staff address to `ticket`: its commands and text (service/staff_mail.h).
void apply_staff_mail(Context& ctx, Transaction& tx, const TicketRow& ticket,
                      const parsers::ParsedMail& mail, const std::string& sender, ProcessedMail& result);

// The CLI's staff actions, each in its own transaction; refusals come back as values.
enum class StaffActionKind { reply, note, status, close, reopen, refuse };
struct StaffAction {
  StaffActionKind kind = StaffActionKind::note;
  std::string ticket;                      // "MG-000123"
  std::string text;                        // reply, note
  std::optional<TicketStatus> status;      // status
  std::optional<rules::CloseReason> reason;  // close
  std::string rule;                        // refuse: the out-of-scope rule, "" = the ticket's own
  std::string actor;
};
struct StaffActionResult {
  enum class Code { done, no_such_ticket, refused, failed } code = Code::done;
  std::string message;  // why not, for the operator
};
StaffActionResult run_staff_action(Context& ctx, const StaffAction& action);

}  // namespace madoguchi::daemon

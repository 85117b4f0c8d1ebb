// lifecycle.h — the ticket lifecycle's hook points, in one place (Kea's named hooks, kept
// static): a feature that follows tickets (the incident ledger, consent, metrics) adds its
// call to the hook it needs here, instead of into the functions that open, continue or
// change tickets. Every hook runs inside the transaction of the change, after the change is
// written; what it writes commits or rolls back with it. A hook that throws aborts the
// change (the stage runner records the message as failed; the CLI reports the error).
//
// No feature is plugged in yet: the hooks are where the next ones go (daemon/README.md).
#pragma once

#include "daemon/service/context.h"
#include "rules/policy.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace madoguchi::daemon {

// A ticket was opened for a mail (also one that is answered and closed at once).
void on_ticket_opened(Context& ctx, Transaction& tx, const TicketRow& ticket, const rules::Decision& decision);
// A ticket's status changed from `before.status` to `to`.
void on_status_changed(Context& ctx, Transaction& tx, const TicketRow& before, TicketStatus to,
                       std::string_view actor);
// A customer's mail joined an existing ticket (`message` is its row id).
void on_customer_mail(Context& ctx, Transaction& tx, const TicketRow& ticket, std::int64_t message);

// The one way a ticket's status changes: the row and its history (store), then the hook.
// Throws StateConflict when the ticket is no longer in `ticket.status`.
void change_status(Context& ctx, Transaction& tx, const TicketRow& ticket, TicketStatus to,
                   std::string_view actor, std::optional<rules::CloseReason> reason = std::nullopt);

}  // namespace madoguchi::daemon

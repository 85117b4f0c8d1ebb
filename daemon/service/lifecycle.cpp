// lifecycle.cpp — see lifecycle.h. Each hook lists the features it calls, in order.
#include "daemon/service/lifecycle.h"

namespace madoguchi::daemon {

void on_ticket_opened(Context&, Transaction&, const TicketRow&, const rules::Decision&) {}

void on_status_changed(Context&, Transaction&, const TicketRow&, TicketStatus, std::string_view) {}

void on_customer_mail(Context&, Transaction&, const TicketRow&, std::int64_t) {}

void change_status(Context& ctx, Transaction& tx, const TicketRow& ticket, TicketStatus to,
                   std::string_view actor, std::optional<rules::CloseReason> reason) {
  if (!set_ticket_status(tx, ticket, to, ctx.now(), actor, reason))
    throw StateConflict("ticket " + ticket.number + " is no longer " + std::string(to_string(ticket.status)));
  on_status_changed(ctx, tx, ticket, to, actor);
}

}  // namespace madoguchi::daemon

// mailer.h — every mail madoguchi sends is rendered from a template and queued in the outbox
// inside the transaction of the change that causes it (STYLE.md: nothing acts before commit).
#pragma once

#include "daemon/service/context.h"
#include "templates/message.h"
#include "templates/renderer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::daemon {

// One outgoing mail to render and queue.
struct Outgoing {
  const rules::Desk* desk = nullptr;
  const TicketRow* ticket = nullptr;
  std::string template_name;   // the kind; the desk may name another template for it
  templates::Values values;    // desk_name, desk_address, desk_hours, ticket_* are added
  std::string to_address;
  std::string to_name;
  std::string reply_to;        // "" = the desk's address
  std::string kind;            // acknowledgement | refusal | staff_reply | closing_notice | …
  std::string auto_submitted;  // "auto-replied" | "auto-generated" | "" (a person's reply)
  std::string in_reply_to;
  std::vector<std::string> references;
  std::optional<std::int64_t> cause;  // the incoming message that caused it
  std::vector<templates::OutgoingAttachment> attachments{};  // staff notices: the customer's files
};

// Renders, composes and enqueues `mail` in `tx`; returns its Message-ID, or "" when the
// template is missing (logged as template_missing). Throws when the template fails to render.
std::string queue_mail(Context& ctx, Transaction& tx, const Outgoing& mail);

// Queues `template_name` to every staff address (auto-generated). A notice about a ticket
// carries that staff member's keyed reply address as its Reply-To (staff_reply_address.h).
// `attachments` go on every staff member's copy.
void notify_staff(Context& ctx, Transaction& tx, const rules::Desk& desk, const std::string& template_name,
                  const TicketRow* ticket, const templates::Values& values,
                  const std::vector<templates::OutgoingAttachment>& attachments = {});

// An outgoing mail to the ticket's requester on the ticket's thread: In-Reply-To and
// References name the customer's own mail (staff mail is internal and never referenced); the
// display name in To:, and values customer_name and company (the tenant's) already set: add
// to m.values, do not replace it.
Outgoing to_requester(Context& ctx, const TicketRow& ticket, const rules::Desk& desk);

}  // namespace madoguchi::daemon

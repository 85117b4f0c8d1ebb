// views.h — read-only views of the store for the CLI (`ticket list`, `ticket show`), so the
// CLI needs no SQL and no store/ header of its own.
#pragma once

#include "daemon/store/messages.h"
#include "daemon/store/outbox.h"
#include "daemon/store/tickets.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// "123", "MG-000123" and "[#MG-000123-k7qx2m]" -> "MG-000123"; other text is returned as is
// (it names no ticket); nullopt for digits beyond any ticket number (more than 12).
std::optional<std::string> normalize_ticket_number(std::string_view text);

// Tickets matching `filter`, oldest first.
std::vector<TicketRow> ticket_list(Store& store, const TicketFilter& filter);

struct TicketDetails {
  TicketRow ticket;
  std::vector<MessageSummary> messages;
  std::vector<OutboxSummary> outgoing;
  std::vector<HistoryEntry> history;
};
std::optional<TicketDetails> ticket_details(Store& store, std::string_view number);

}  // namespace madoguchi::daemon

// views.cpp — see views.h.
#include "daemon/service/views.h"

#include "daemon/service/ticket_tags.h"

#include <algorithm>

namespace madoguchi::daemon {

std::optional<std::string> normalize_ticket_number(std::string_view text) {
  if (auto tag = find_ticket_tag(text)) return tag->number;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return std::string(text);
  if (text.size() > 12) return std::nullopt;
  return ticket_number(std::stoll(std::string(text)));
}

std::vector<TicketRow> ticket_list(Store& store, const TicketFilter& filter) { return list_tickets(store, filter); }

std::optional<TicketDetails> ticket_details(Store& store, std::string_view number) {
  auto t = load_ticket(store, number);
  if (!t) return std::nullopt;
  TicketDetails d{*t, messages_of_ticket(store, t->id), outbox_of_ticket(store, t->id), ticket_history(store, t->id)};
  return d;
}

}  // namespace madoguchi::daemon

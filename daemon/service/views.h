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

// Tickets matching `filter`, newest first.
std::vector<TicketRow> ticket_list(Store& store, const TicketFilter& filter);

struct TicketDetails {
  TicketRow ticket;
  std::vector<MessageSummary> messages;
  std::vector<OutboxSummary> outgoing;
  std::vector<HistoryEntry> history;
};
std::optional<TicketDetails> ticket_details(Store& store, std::string_view number);

// A ticket's messages as staff read them, numbered 1… in order of arrival; their attachments
// numbered over the whole ticket in the same order (`ticket attachment MG-… N`, staff notices).
struct AttachmentView {
  int number = 0;
  std::string filename{};  // as the mail names it: for display only, never a path
  std::string content_type{};
  std::size_t size = 0;
};
struct MessageView {
  int number = 0;
  MessageSummary summary;
  std::string direction{};  // "customer" (the requester), "staff", "other" (anyone else)
  std::string text{};       // the decoded text, whole
  std::vector<AttachmentView> attachments{};
  std::string error{};      // the spool file could not be read
};
// `staff`: the lower-case staff addresses of the configuration.
std::vector<MessageView> ticket_messages(Store& store, const TicketDetails& ticket, const std::vector<std::string>& staff);
// The original bytes of the ticket's message `number` (1-based), nullopt when there is none.
std::optional<std::string> ticket_message_raw(Store& store, const TicketDetails& ticket, int number);
// Attachment `number` of the ticket (1-based over its messages), nullopt when there is none.
struct AttachmentContent {
  AttachmentView info;
  std::string content{};
};
std::optional<AttachmentContent> ticket_attachment(Store& store, const TicketDetails& ticket, int number);

}  // namespace madoguchi::daemon

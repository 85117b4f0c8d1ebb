// views.cpp — see views.h.
#include "daemon/service/views.h"

#include "daemon/service/ticket_tags.h"
#include "daemon/store/spool.h"
#include "parsers/parsed_mail.h"

#include <algorithm>

namespace madoguchi::daemon {

std::optional<std::string> normalize_ticket_number(std::string_view text) {
  if (auto tag = find_ticket_tag(text)) return tag->number;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return std::string(text);
  if (text.size() > 12) return std::nullopt;
  return ticket_number(std::stoll(std::string(text)));
}

std::vector<TicketRow> ticket_list(Store& store, const TicketFilter& filter) {
  auto rows = list_tickets(store, filter);
  std::reverse(rows.begin(), rows.end());
  return rows;
}

std::optional<TicketDetails> ticket_details(Store& store, std::string_view number) {
  auto t = load_ticket(store, number);
  if (!t) return std::nullopt;
  TicketDetails d{*t, messages_of_ticket(store, t->id), outbox_of_ticket(store, t->id), ticket_history(store, t->id)};
  return d;
}

namespace {

std::optional<std::string> spool_bytes(Store& store, const MessageSummary& m) {
  try {
    return read_file(store.spool_path(m.sha256));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<MessageView> ticket_messages(Store& store, const TicketDetails& ticket, const std::vector<std::string>& staff) {
  std::vector<MessageView> out;
  int attachment = 1;
  for (const auto& m : ticket.messages) {
    MessageView v;
    v.number = static_cast<int>(out.size()) + 1;
    v.summary = m;
    v.direction = m.sender == ticket.ticket.requester ? "customer"
                  : std::find(staff.begin(), staff.end(), m.sender) != staff.end() ? "staff"
                                                                                   : "other";
    if (const auto raw = spool_bytes(store, m)) {
      parsers::ParseOptions options;
      options.keep_attachment_content = false;
      const parsers::ParsedMail mail = parsers::parse_mail(*raw, options);
      v.text = mail.text;
      for (const auto& a : mail.attachments) v.attachments.push_back({attachment++, a.filename, a.content_type, a.size});
    } else {
      v.error = "the stored mail " + m.sha256 + " cannot be read";
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<std::string> ticket_message_raw(Store& store, const TicketDetails& ticket, int number) {
  if (number < 1 || static_cast<std::size_t>(number) > ticket.messages.size()) return std::nullopt;
  return spool_bytes(store, ticket.messages[static_cast<std::size_t>(number) - 1]);
}

std::optional<AttachmentContent> ticket_attachment(Store& store, const TicketDetails& ticket, int number) {
  if (number < 1) return std::nullopt;
  int seen = 0;
  for (const auto& m : ticket.messages) {
    const auto raw = spool_bytes(store, m);
    if (!raw) continue;
    parsers::ParsedMail mail = parsers::parse_mail(*raw);
    const int here = static_cast<int>(mail.attachments.size());
    if (number <= seen + here) {
      auto& a = mail.attachments[static_cast<std::size_t>(number - seen - 1)];
      return AttachmentContent{{number, a.filename, a.content_type, a.size}, std::move(a.content)};
    }
    seen += here;
  }
  return std::nullopt;
}

}  // namespace madoguchi::daemon

// threading.cpp — see threading.h.
#include "daemon/service/threading.h"

#include "daemon/store/messages.h"

#include <algorithm>

namespace madoguchi::daemon {

ThreadResult find_thread(Store& store, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted) {
  ThreadResult result;
  if (auto tag = find_ticket_tag(mail.subject)) {
    if (auto t = load_ticket(store, tag->number)) {
      if (tag->check && *tag->check == key.check(tag->number)) {
        result.match = ThreadMatch{*t, ThreadVia::verified_tag};
        return result;
      }
      if (trusted(*t)) {
        result.match = ThreadMatch{*t, ThreadVia::trusted_sender_tag};
        return result;
      }
    }
    result.rejected_tag = tag->number;
  }
  std::vector<std::string> ids;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  for (auto it = mail.references.rbegin(); it != mail.references.rend(); ++it) ids.push_back(*it);
  for (const auto& id : ids) {
    if (auto ticket_id = ticket_of_message_id(store, id)) {
      if (auto t = load_ticket(store, *ticket_id)) {
        result.match = ThreadMatch{*t, ThreadVia::message_id};
        return result;
      }
    }
  }
  return result;
}

bool sender_trusted(const Context& ctx, const std::string& sender, const TicketRow& ticket) {
  if (sender.empty()) return false;
  if (sender == ticket.requester) return true;
  const rules::Tenant* tenant = ctx.tenant(ticket.tenant);
  return tenant && std::find(tenant->admins.begin(), tenant->admins.end(), sender) != tenant->admins.end();
}

}  // namespace madoguchi::daemon

// threading.cpp — see threading.h.
#include "daemon/service/threading.h"

#include "daemon/store/messages.h"

#include <algorithm>

namespace madoguchi::daemon {
namespace {

std::optional<ThreadMatch> by_message_id(Store& store, const parsers::ParsedMail& mail) {
  std::vector<std::string> ids;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  for (auto it = mail.references.rbegin(); it != mail.references.rend(); ++it) ids.push_back(*it);
  for (const auto& id : ids)
    if (auto ticket_id = ticket_of_message_id(store, id))
      if (auto t = load_ticket(store, *ticket_id)) return ThreadMatch{*t, ThreadVia::message_id};
  return std::nullopt;
}

}  // namespace

ThreadResult find_thread(Store& store, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted) {
  ThreadResult result;
  if (auto tag = find_ticket_tag(mail.subject)) {
    const bool verified = tag->check && key.verify(tag->number, *tag->check);
    if (!verified) result.rejected_tag = tag->number;
    if (auto t = load_ticket(store, tag->number))
      result.match = ThreadMatch{*t, verified ? ThreadVia::verified_tag : ThreadVia::unverified_tag};
  }
  if (!result.match) result.match = by_message_id(store, mail);
  result.trusted = result.match && trusted(result.match->ticket);
  return result;
}

bool sender_trusted(const Context& ctx, const std::string& sender, rules::Identity identity, const TicketRow& ticket) {
  if (sender.empty() || identity == rules::Identity::unverified_sender) return false;
  if (sender == ticket.requester) return true;
  const rules::Tenant* tenant = ctx.tenant(ticket.tenant);
  return tenant && std::find(tenant->admins.begin(), tenant->admins.end(), sender) != tenant->admins.end();
}

}  // namespace madoguchi::daemon

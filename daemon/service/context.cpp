// context.cpp — see context.h.
#include "daemon/service/context.h"

#include "rules/identity.h"

#include <algorithm>
#include <stdexcept>

namespace madoguchi::daemon {

std::chrono::sys_seconds system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool Context::is_staff(const std::string& address) const {
  return std::find(settings.staff.begin(), settings.staff.end(), address) != settings.staff.end();
}

std::string Context::staff_name(std::string_view actor) const {
  const auto it = settings.staff_names.find(rules::normalize_address(actor));
  return it == settings.staff_names.end() ? std::string() : it->second;
}

bool Context::staff_authenticated(const parsers::ParsedMail& mail, const std::string& sender,
                                  const rules::Desk& desk) const {
  if (!is_staff(sender)) return false;
  if (settings.staff_authentication == StaffAuthentication::from_header) return true;
  std::vector<std::string> ids = settings.trusted_authserv_ids;
  ids.insert(ids.end(), desk.trusted_authserv_ids.begin(), desk.trusted_authserv_ids.end());
  const std::string domain = rules::address_domain(sender);
  return !domain.empty() && rules::sender_authenticated(mail, ids, domain);
}

const MailboxConfig* Context::mailbox(std::string_view name) const {
  for (const auto& m : settings.mailboxes)
    if (m.name == name) return &m;
  return nullptr;
}

const rules::Desk& Context::desk_of(const TicketRow& ticket) const {
  if (const rules::Desk* d = policy().desk(ticket.desk)) return *d;
  throw std::runtime_error("ticket " + ticket.number + " belongs to desk '" + ticket.desk +
                           "', which the configuration no longer has");
}

const rules::Tenant* Context::tenant(const std::optional<std::string>& id) const {
  if (!id) return nullptr;
  for (const auto& t : policy().tenants())
    if (t.id == *id) return &t;
  return nullptr;
}

}  // namespace madoguchi::daemon

// routing.cpp — see routing.h.
#include "daemon/service/routing.h"

#include <string>

namespace madoguchi::daemon {

Route route_mail(const rules::Policy& policy, const parsers::ParsedMail& mail, std::string_view mailbox_desk) {
  std::string fallback(mailbox_desk);
  if (fallback.empty() && policy.desks().size() == 1) fallback = policy.desks()[0].id;
  if (const rules::Desk* desk = policy.route(mail, fallback)) return {desk, false};
  if (policy.desks().empty()) return {};
  return {&policy.desks().front(), true};
}

}  // namespace madoguchi::daemon

// routing.h — which desk a mail is for: the one routing function of the daemon and of
// `madoguchi classify`, so the two cannot disagree about a mail.
#pragma once

#include "parsers/parsed_mail.h"
#include "rules/policy.h"

#include <string_view>

namespace madoguchi::daemon {

struct Route {
  const rules::Desk* desk = nullptr;  // nullptr only when the configuration has no desk
  bool unrouted = false;              // no desk claimed the mail: `desk` is the first desk
};

// The desk whose address is among the recipients (rules::Policy::route: Delivered-To, To,
// Cc); else the mailbox's desk (`mailbox_desk`, "" when it has none); else, when the
// configuration has exactly one desk, that desk; else the first desk, unrouted (the ticket is
// flagged for staff to place, and nothing is answered in that desk's name).
Route route_mail(const rules::Policy& policy, const parsers::ParsedMail& mail, std::string_view mailbox_desk);

}  // namespace madoguchi::daemon

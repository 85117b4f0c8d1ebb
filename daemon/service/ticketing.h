// ticketing.h — the ticket stage: what a classified mail does to tickets, and the mail it
// causes, all in the caller's transaction. A DSN marks our mail; staff mail works a ticket;
// a customer's mail continues its ticket (or reopens it within the desk's window) or opens
// a new one, answered at once with the acknowledgement, refusal or redirect its decision
// names (unless loop safety, the rate limit, the first-run cutoff or its size forbid it).
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/processed_mail.h"
#include "parsers/parsed_mail.h"
#include "rules/policy.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct TicketStageInput {
  std::int64_t message = 0;        // the message row
  std::string_view raw;            // its bytes (a DSN is read from them)
  const parsers::ParsedMail* mail = nullptr;
  std::string sender;              // normalised From address, "" when none
  const rules::Desk* desk = nullptr;
  const rules::Decision* decision = nullptr;
  bool suppress_auto_reply = false;  // old at the first run, or oversize
  bool unrouted = false;             // no desk claimed it: `desk` is the first desk, flagged
};

// Fills result.ticket/action/reply/note. Throws on errors (the stage runner records them).
void ticket_stage(Context& ctx, Transaction& tx, const TicketStageInput& in, ProcessedMail& result);

}  // namespace madoguchi::daemon

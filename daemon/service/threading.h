// threading.h — which ticket a mail points at, and whether its sender may continue it
// (SPEC.md §5, issue 13). A mail points at a ticket by the tag in its subject, else by
// In-Reply-To / References against the Message-IDs we stored (ours and the customer's). It
// joins that ticket only when the sender is trusted for it — the requester or an admin of the
// ticket's tenant (never an unverified sender), or authenticated staff — whatever way it
// pointed; anything else opens a new ticket linking the one it pointed at.
#pragma once

#include "daemon/service/context.h"
#include "parsers/parsed_mail.h"
#include "rules/policy.h"

#include <functional>
#include <optional>
#include <string>

namespace madoguchi::daemon {

enum class ThreadVia { verified_tag, unverified_tag, message_id };

struct ThreadMatch {
  TicketRow ticket;
  ThreadVia via;
};

struct ThreadResult {
  std::optional<ThreadMatch> match;  // the ticket the mail points at
  bool trusted = false;              // its sender may continue it
  // A tag whose keyed check did not verify (absent, legacy, forged or guessed), or that
  // names no ticket: counted per sender against tag guessing.
  std::optional<std::string> rejected_tag;
};

// `trusted(ticket)` says whether the sender may continue that ticket.
ThreadResult find_thread(Store& store, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted);

// A customer trusted for `ticket`: its requester, or an admin of its tenant — and never a
// sender whose identity is unverified_sender (a forged From of a desk that requires
// authentication).
bool sender_trusted(const Context& ctx, const std::string& sender, rules::Identity identity, const TicketRow& ticket);

}  // namespace madoguchi::daemon

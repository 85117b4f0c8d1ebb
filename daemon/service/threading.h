// threading.h — which ticket a mail continues (SPEC.md §5): by a tag whose keyed check
// verifies; by an unchecked tag only from a trusted sender; else by In-Reply-To / References
// against the Message-IDs we stored (ours and the customer's).
#pragma once

#include "daemon/service/context.h"
#include "parsers/parsed_mail.h"

#include <functional>
#include <optional>
#include <string>

namespace madoguchi::daemon {

enum class ThreadVia { verified_tag, trusted_sender_tag, message_id };

struct ThreadMatch {
  TicketRow ticket;
  ThreadVia via;
};

struct ThreadResult {
  std::optional<ThreadMatch> match;
  // A tag was present but neither verified nor from a trusted sender: a new ticket is
  // opened and the attempt is logged (a forged or guessed number).
  std::optional<std::string> rejected_tag;
};

// `trusted(ticket)` says whether the sender may continue that ticket with an unchecked tag.
ThreadResult find_thread(Store& store, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted);

// The requester of the ticket, or an admin of its tenant.
bool sender_trusted(const Context& ctx, const std::string& sender, const TicketRow& ticket);

}  // namespace madoguchi::daemon

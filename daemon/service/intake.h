// intake.h — the first stage: every pending item of a source into the store, durably, and
// marked at the source only after its commit (STYLE.md: nothing acts before commit). A crash
// between the commit and the mark makes the item a duplicate on the next pass, not a new mail.
#pragma once

#include "daemon/service/context.h"
#include "daemon/transport/mail_source.h"

namespace madoguchi::daemon {

// Returns the number of new messages stored. Mail over the mailbox's max_message_size is cut
// there and flagged; mail older than the first-run cutoff at the mailbox's first run is
// stored to be ticketed without automatic replies. Throws SourceError when the source fails.
// `between_mails`, when set, is called after each item.
int intake(Context& ctx, MailSource& source, const MailboxConfig& mailbox,
           const BetweenMails& between_mails = {});

}  // namespace madoguchi::daemon

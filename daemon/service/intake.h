// intake.h — the first stage: every pending item of a source into the store, durably, and
// marked at the source only after its commit (STYLE.md: nothing acts before commit). Items go
// in batches (by default at most 64 mails or 32 MiB): their spool files fsynced, each directory touched
// fsynced once, their rows committed in one synced transaction, then one mark for the batch.
// A crash between the commit and the mark makes the items duplicates on the next pass, which
// are marked again, not new mail.
#pragma once

#include "daemon/service/context.h"
#include "daemon/transport/mail_source.h"

#include <cstddef>

namespace madoguchi::daemon {

// Returns the number of new messages stored. Mail over the mailbox's max_message_size is cut
// there and flagged; mail older than the first-run cutoff at the mailbox's first run is
// stored to be ticketed without automatic replies. Throws SourceError when the source fails
// (what was fetched before is committed first, its marks owed to the next pass).
// `between_mails`, when set, is called after each item.
// `batch` bounds what is committed together (one synced transaction, one mark).
struct IntakeBatch {
  std::size_t max_mails = 64;
  std::size_t max_bytes = std::size_t(32) << 20;
};
int intake(Context& ctx, MailSource& source, const MailboxConfig& mailbox,
           const BetweenMails& between_mails = {}, IntakeBatch batch = {});

}  // namespace madoguchi::daemon

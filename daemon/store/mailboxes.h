// mailboxes.h — each mailbox's intake checkpoint: IMAP's UIDVALIDITY and highest committed
// UID, when the mailbox was first seen (the first-run cutoff), and the server marks still owed
// after a crash between a commit and its \Seen / MOVE.
#pragma once

#include "daemon/store/store.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

struct MailboxState {
  std::int64_t uidvalidity = 0;
  std::int64_t last_uid = 0;
  std::chrono::sys_seconds first_seen{};
};

// nullopt before the mailbox's first run.
std::optional<MailboxState> mailbox_state(Store& store, std::string_view mailbox);
// Creates the row, or updates UIDVALIDITY and the last UID (first_seen is kept).
void set_mailbox_state(Store& store, std::string_view mailbox, const MailboxState& state);

// IMAP marks owed to the server: store_incoming() records (mailbox, UIDVALIDITY, UID) in the
// commit of the message; the source forgets it once \Seen / MOVE succeeded. After a crash
// between commit and mark these are marked again, and nothing else is re-marked.
std::vector<std::int64_t> unmarked_uids(Store& store, std::string_view mailbox, std::int64_t uidvalidity);
void forget_unmarked(Store& store, std::string_view mailbox, std::int64_t uidvalidity,
                     const std::vector<std::int64_t>& uids);
// Drops owed marks of other UIDVALIDITY values (their UIDs mean nothing any more).
void forget_unmarked_except(Store& store, std::string_view mailbox, std::int64_t uidvalidity);

// Failed fetches of one item (an IMAP UID, a Maildir file) that the source could not give:
// counted across passes and restarts; the new count.
int record_fetch_failure(Store& store, std::string_view mailbox, std::string_view source_key);
// Forgets them once the item was stored (or a stub stands in for it).
void clear_fetch_failures(Store& store, std::string_view mailbox, std::string_view source_key);

}  // namespace madoguchi::daemon

// set_aside.h — the last resort for a stored mail that cannot be processed (issue 14): after
// message_attempts failed attempts, or for a stub of mail that could not be fetched, it becomes
// a ticket flagged for staff with the reason, so the mail is in front of a person instead of
// failing for ever, and the queue goes on. Nothing is sent to the sender; staff are notified.
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/processed_mail.h"
#include "daemon/store/messages.h"

#include <string>

namespace madoguchi::daemon {

// Opens the flagged ticket for `msg` (what can still be read of the mail: sender, subject,
// desk; else the mailbox's desk or the first) and moves the message to ticketed on it, in one
// transaction. Throws StateConflict when another process finished the message first.
ProcessedMail set_aside(Context& ctx, const StoredMessage& msg, const std::string& reason);

}  // namespace madoguchi::daemon

// message_admin.h — the operator's way back for stored mail (`madoguchi message list|retry`):
// what is in each state, and a failed message sent through the stages again after a fix
// (a desk added, a spool file restored). The CLI reaches the store only through these.
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/retry_result.h"
#include "daemon/store/messages.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace madoguchi::daemon {

// Incoming messages in `state` (all when nullopt), oldest first.
std::vector<MessageListing> message_list(Store& store, std::optional<MessageState> state);

using MessageRetryResult = RetryResult;  // count: messages moved back to fetched
// A failed message back to fetched, to be run again by the next pass (a refusal, not an
// exception, when it does not exist or is not failed).
MessageRetryResult retry_message(Store& store, std::int64_t id);
// Every failed message back to fetched.
MessageRetryResult retry_all_failed_messages(Store& store);

}  // namespace madoguchi::daemon

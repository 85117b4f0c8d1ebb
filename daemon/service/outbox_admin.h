// outbox_admin.h — the operator's way back for outgoing mail (`madoguchi outbox list|retry`):
// what is in each state and why, and a failed row queued again after a fix (the relay
// accepts us again, the address was corrected at the recipient's side). The CLI reaches the
// outbox only through these.
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/retry_result.h"
#include "daemon/store/outbox.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace madoguchi::daemon {

// Outgoing rows in `state` (all when nullopt), oldest first.
std::vector<OutboxListing> outbox_list(Store& store, std::optional<OutboxState> state);

using OutboxRetryResult = RetryResult;  // count: rows moved back to pending
// A failed row back to pending, due at `now`, so the daemon's next outbox round sends it.
// Its attempts are kept (they are its history; the backoff caps at an hour) and smtp.max_age
// still counts from when it was queued, so a retried row older than max_age that meets a
// temporary failure again fails again at once. A refusal, not an exception, when the row
// does not exist or is not failed (another process retried it first): nothing changes.
OutboxRetryResult retry_outbox_mail(Store& store, std::int64_t id, std::chrono::sys_seconds now);
// Every failed row back to pending, due at `now`.
OutboxRetryResult retry_all_failed_outbox_mail(Store& store, std::chrono::sys_seconds now);

}  // namespace madoguchi::daemon

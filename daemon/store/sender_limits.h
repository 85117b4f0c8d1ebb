// sender_limits.h — what each sender has caused lately, for the per-sender limits that keep
// madoguchi from being a relay or an oracle: automatic replies sent to them, staff notices
// their mail caused, and ticket tags of theirs that failed the keyed check.
#pragma once

#include "daemon/store/store.h"

#include <chrono>
#include <string_view>

namespace madoguchi::daemon {

enum class SenderEvent { auto_reply, staff_notice, tag_rejected };

// Records one event for `sender` (a normalised address) at `at`.
void record_sender_event(Transaction& tx, SenderEvent event, std::string_view sender, std::chrono::sys_seconds at);
// Events of this kind for `sender` after `since`.
int sender_events_since(Store& store, SenderEvent event, std::string_view sender, std::chrono::sys_seconds since);

}  // namespace madoguchi::daemon

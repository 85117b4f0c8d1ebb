// bounces.h — delivery status notifications for our mail (RFC 3464): a hard bounce marks our
// outbox row and counts towards suppressing automatic mail to the address; a delay or
// success notice marks nothing. A DSN is never answered.
#pragma once

#include "daemon/store/store.h"

#include <chrono>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

// What a DSN says about the recipient(s) of the returned mail.
struct DsnSummary {
  bool hard = false;     // a recipient's Action: failed, or a 5.x.x Status
  bool delayed = false;  // only Action: delayed (the server still tries: not a bounce)
  std::string status;    // the first failed recipient's Status, else the first, e.g. "5.1.1"; "" when none
};
// Reads the report's message/delivery-status or message/global-delivery-status part (decoded)
// and nothing else of the mail; a text that is no such multipart is read as the fields alone.
DsnSummary summarize_dsn(std::string_view raw_dsn);

// A DSN matched our Message-ID: marks that row bounced (unless the DSN reports no failure)
// and records a hard bounce of its recipient, in `tx`. False when no row has that Message-ID.
bool mark_bounced(Transaction& tx, std::string_view message_id, const DsnSummary& dsn,
                  std::chrono::sys_seconds now);

}  // namespace madoguchi::daemon

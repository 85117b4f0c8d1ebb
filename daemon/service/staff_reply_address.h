// staff_reply_address.h — the keyed Reply-To of a staff notice (issue 13): a staff member who
// answers the notice writes to support+mg-000123-<key>@…, where the key is an HMAC of the
// ticket number and that staff member's address. Only someone who received the notice knows
// it, so a reply to it from that staff address speaks as staff for that ticket, whether or not
// the mail carries an Authentication-Results field we trust (Microsoft 365 writes none we can
// attribute). The key names one ticket and one staff address, never another.
#pragma once

#include "daemon/service/ticket_tags.h"
#include "parsers/parsed_mail.h"
#include "rules/policy.h"

#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

// support+mg-000123-<16 base32>@example.jp for a notice about `number` to `staff`, built on the
// desk's staff_reply_address; "" when the desk has none.
std::string keyed_reply_address(const TagKey& key, const rules::Desk& desk, std::string_view number,
                                std::string_view staff);

// The ticket number of a keyed reply address among the mail's recipients (To, Cc,
// Delivered-To, X-Original-To) whose key verifies for `sender`; nullopt when there is none.
std::optional<std::string> keyed_reply_ticket(const TagKey& key, const rules::Desk& desk,
                                              const parsers::ParsedMail& mail, std::string_view sender);

}  // namespace madoguchi::daemon

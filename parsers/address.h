// address.h — RFC 5322 address lists (and the obsolete forms mailers still send) to Address
// values with decoded display names; msg-id lists.
//
// Parsed before decoding, so a comma or angle bracket inside an encoded-word or quoted
// display name cannot split an address. Never throws.
#pragma once

#include "parsers/parsed_mail.h"

#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::parsers {

// "Name <a@b>, \"Last, First\" <c@d>, e@f (Comment), group: g@h;" -> addresses; group names are
// dropped, their members kept. Display names are RFC 2047 / raw 8-bit decoded.
std::vector<Address> parse_address_list(std::string_view raw_value);

// "<a@b> <c@d>" (also without brackets, separated by blanks or commas) -> {"a@b", "c@d"}.
std::vector<std::string> parse_msg_ids(std::string_view raw_value);

}  // namespace madoguchi::parsers

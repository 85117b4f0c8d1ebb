// customer_text.h — what of a stranger's mail madoguchi echoes back in its own mail, bounded
// so the support address never relays a stranger's words (issue 13): the display name in a
// greeting, and the Message-IDs in References.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// The byte length of the first `max_chars` code points of UTF-8 `text` (all of it if shorter).
std::size_t utf8_prefix_bytes(std::string_view text, std::size_t max_chars);

// The From display name as a greeting may use it: at most 40 characters, and "" when it holds
// a URL, an '@' or control characters (a name is a name, not a message).
std::string greeting_name(std::string_view display_name);

// References for our reply (RFC 5322 §3.6.4): the first and the last ten of `ids`, each at
// most 250 characters (longer ones dropped), so a customer's header cannot make ours refused.
std::vector<std::string> capped_references(const std::vector<std::string>& ids);

}  // namespace madoguchi::daemon

// smtp_replies.h — the one list of what SMTP reply codes mean to madoguchi (RFC 5321 §4.2,
// RFC 3463 enhanced status codes), used by the delivery policy and bounce handling.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::daemon {

// The three-digit code at the start of a reply ("550 5.1.1 …" -> 550), 0 when there is none
// (no reply: the server was not reached).
int reply_code(std::string_view reply);

// The enhanced status code of a reply ("550 5.1.1 <x>: …" -> "5.1.1"), or "".
std::string enhanced_status(std::string_view reply);

// 530, 534, 535, 538: authentication or TLS is required or refused — the configuration is
// wrong, not the message, so the mail waits for the fix instead of failing.
bool auth_or_tls_refusal(int code);

// A temporary failure that is not about the message — no reply, 421 (service closing), or an
// authentication/TLS refusal (530, 534, 535, 538): the next mail would fail the same way.
bool server_level_code(int code);

// A permanent refusal of the mailbox itself (5.1.x: no such user, bad address): as good as
// a DSN for the bounce count.
bool mailbox_refused(std::string_view enhanced);

}  // namespace madoguchi::daemon

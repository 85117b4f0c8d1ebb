// smtp_replies.h — the one list of what SMTP reply codes mean to madoguchi (RFC 5321 §4.2,
// RFC 3463 enhanced status codes), used by the delivery policy and bounce handling.
#pragma once

#include "daemon/transport/mail_sink.h"

#include <optional>
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

// The stage a command line we sent begins: "EHLO …"/"HELO …" ehlo, "STARTTLS" starttls,
// "AUTH …" auth, "MAIL FROM:…" mail_from, "RCPT TO:…" rcpt_to, "DATA" data; nullopt for
// anything else (QUIT, SASL continuation lines). Only the verb is looked at: an AUTH line
// carries credentials and is never kept.
std::optional<SmtpStage> command_stage(std::string_view line);

// connect, ehlo, starttls, auth, mail_from: a refusal there is the server refusing the
// session (relay denied, authentication required), never a verdict on one message.
bool session_stage(SmtpStage stage);

// "connect", "ehlo", "starttls", "auth", "mail_from", "rcpt_to", "data", "end_of_data", "-".
std::string_view to_string(SmtpStage stage);

// A permanent refusal of the mailbox itself (5.1.x: no such user, bad address): as good as
// a DSN for the bounce count.
bool mailbox_refused(std::string_view enhanced);

}  // namespace madoguchi::daemon

// loop_safety.h — when madoguchi must not answer automatically (SPEC.md §4, RFC 3834).
//
// Why built in and not a rule: a rule edit must never be able to make two auto-responders
// answer each other forever, so these checks run before and independently of the desk's
// rules, and a rule outcome cannot switch them off.
#pragma once

#include "parsers/parsed_mail.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::rules {

// The mail is a delivery status notification (DSN, or a classic bounce from MAILER-DAEMON
// with a "returned mail" subject): it updates our outbox and is never answered.
bool is_bounce(const parsers::ParsedMail& mail);

// The mail is itself an automatic reply (Auto-Submitted: auto-replied, X-Autoreply,
// X-Autorespond, Precedence: auto_reply).
bool is_auto_reply(const parsers::ParsedMail& mail);

// Why no automatic reply may be sent to `mail`, or nullopt when one may: "dsn",
// "auto_submitted", "auto_response_suppress", "precedence", "list_id", "null_return_path",
// "mailer_daemon", "own_message_id", "no_sender". `own_domains` are the domains of our Message-IDs.
std::optional<std::string> loop_reason(const parsers::ParsedMail& mail,
                                       const std::vector<std::string>& own_domains);

}  // namespace madoguchi::rules

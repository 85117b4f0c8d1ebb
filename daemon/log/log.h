// log.h — one line per transition: a stable event name and key=value fields
// (`event=ticket_opened ticket=MG-000123 desk=passlogic-cloud rule=PL_OUT_ONSITE`).
// Addresses are masked unless the operator turned masking off; bodies and credentials are
// never logged. Every event is in the catalog (events.h). Logging never throws into the caller.
#pragma once

#include "daemon/log/events.h"

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace madoguchi::daemon {

// Sets up the process logger: journald (with priorities) when stderr is the journal
// ($JOURNAL_STREAM), else stderr. `level` is trace|debug|info|warn|error.
void init_logging(std::string_view level, bool mask_personal_data);
// The CLI's logger for commands that change something: its events (ticket_reply, ticket_note,
// … with the acting user) go where the daemon's go — the journal when the machine has one,
// with warnings also on stderr for the operator — else to stderr from `level` on.
void init_cli_logging(std::string_view level, bool mask_personal_data);

// "taro@example.co.jp" -> "t***@example.co.jp" (unless masking is off).
std::string mask_address(std::string_view address);

using Field = std::pair<std::string_view, std::string_view>;

// Logs `event=<event> k=v ...`; values with spaces or quotes are quoted.
void log_event(spdlog::level::level_enum level, Event event,
               std::initializer_list<Field> fields);

}  // namespace madoguchi::daemon

// ticket_show.h — `madoguchi ticket show` (every message's text, direction, author and state;
// the outgoing mail with its state and next attempt; the history), `ticket show --raw N` (the
// original bytes of message N) and `ticket attachment MG-… N --out FILE`.
#pragma once

#include "daemon/server/runtime.h"

#include <string>

namespace madoguchi::daemon {

// `raw` > 0: write message `raw`'s original bytes to stdout instead of the view.
int show_ticket(Session& session, const std::string& number, int raw);

// Writes attachment `n` of the ticket to `out` ("-" for stdout); never to a path taken from
// the mail. An existing file is not overwritten.
int extract_attachment(Session& session, const std::string& number, int n, const std::string& out);

}  // namespace madoguchi::daemon

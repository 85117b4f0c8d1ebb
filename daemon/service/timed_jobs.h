// timed_jobs.h — the ticket work of each pass that the clock causes, not a mail: releasing
// the business-hours queue (with one staff digest per desk), auto-closing silent tickets,
// and logging overdue first responses. Each is idempotent: a crash mid-way is finished by the
// next pass, and nothing is sent twice.
#pragma once

#include "daemon/service/context.h"

namespace madoguchi::daemon {

// Tickets whose acceptance time has come move queued -> open, and each desk's staff get one
// digest of them. Returns the number released.
int release_queued(Context& ctx);

// Tickets silent in waiting_customer: a warning after the desk's auto_close_warn_days
// business days, then closed as `agreed` with a notice. Returns the number changed.
int auto_close(Context& ctx);

// Tickets past their first-response due time without a staff reply: each is logged once
// (event=ticket_overdue) and recorded in its history. Returns the number newly overdue.
int report_overdue(Context& ctx);

}  // namespace madoguchi::daemon

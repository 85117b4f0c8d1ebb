// stages.h — the stage runner: each stored message through parse -> classify -> ticket, one
// transaction per step (STYLE.md "Stages and states"). Every step can be retried: a crash
// between steps resumes at the state committed last. Each step names the state it expects,
// so a message another process (`run`, `deliver`) is working on is not worked twice.
#pragma once

#include "daemon/service/context.h"
#include "daemon/service/processed_mail.h"

#include <vector>

namespace madoguchi::daemon {

// Runs every message that is not yet ticketed (or failed) through the remaining stages. A
// message that fails is recorded as failed with the reason and the others go on.
// `between_mails`, when set, is called after each message.
std::vector<ProcessedMail> process_pending(Context& ctx, const BetweenMails& between_mails = {});

}  // namespace madoguchi::daemon

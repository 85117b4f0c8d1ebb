// summary.h — the table `madoguchi run --once --summary` prints: one line per message.
#pragma once

#include "daemon/service/processed_mail.h"

#include <ostream>
#include <vector>

namespace madoguchi::daemon {

void print_summary(const std::vector<ProcessedMail>& processed, std::ostream& out);

}  // namespace madoguchi::daemon

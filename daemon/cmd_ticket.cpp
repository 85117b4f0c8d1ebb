// cmd_ticket.cpp — `madoguchi ticket`: list, show and work tickets. Not built yet (issue 8).
#include "daemon/cli.h"

namespace madoguchi::daemon {

Subcommand add_ticket_command(CLI::App& root) {
  return add_unbuilt_command(root, "ticket", "list, show and work tickets", "issue 8");
}

}  // namespace madoguchi::daemon

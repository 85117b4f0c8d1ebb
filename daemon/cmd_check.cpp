// cmd_check.cpp — `madoguchi check`: validate the configuration without running it. Not built yet (issue 5).
#include "daemon/cli.h"

namespace madoguchi::daemon {

Subcommand add_check_command(CLI::App& root) {
  return add_unbuilt_command(root, "check", "validate the configuration without running it", "issue 5");
}

}  // namespace madoguchi::daemon

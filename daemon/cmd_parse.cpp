// cmd_parse.cpp — `madoguchi parse`: print the parsed form of one mail as JSON. Not built yet (issue 3).
#include "daemon/cli.h"

namespace madoguchi::daemon {

Subcommand add_parse_command(CLI::App& root) {
  return add_unbuilt_command(root, "parse", "print the parsed form of one mail as JSON", "issue 3");
}

}  // namespace madoguchi::daemon

// cmd_classify.cpp — `madoguchi classify`: print the decision for one mail. Not built yet (issue 5).
#include "daemon/cli.h"

namespace madoguchi::daemon {

Subcommand add_classify_command(CLI::App& root) {
  return add_unbuilt_command(root, "classify", "print the decision for one mail", "issue 5");
}

}  // namespace madoguchi::daemon

#include "daemon/cli.h"
namespace madoguchi::daemon {
Subcommand add_run_command(CLI::App& root) { return add_unbuilt_command(root, "run", "run the daemon", "issue 2"); }
Subcommand add_deliver_command(CLI::App& root) { return add_unbuilt_command(root, "deliver", "store one mail from stdin", "issue 6"); }
}

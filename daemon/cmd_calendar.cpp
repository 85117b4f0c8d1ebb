// cmd_calendar.cpp — `madoguchi calendar`: business calendar. Not built yet ( holidays, next opening, due times:issue 4).
#include "daemon/cli.h"

namespace madoguchi::daemon {

Subcommand add_calendar_command(CLI::App& root) {
  return add_unbuilt_command(root, "calendar", "business calendar", " holidays, next opening, due times:issue 4");
}

}  // namespace madoguchi::daemon

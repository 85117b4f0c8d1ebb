// cli.h — the `madoguchi` command line: one Subcommand per file daemon/cmd_<name>.cpp.
// Exit codes: 0 success, 1 the operation failed (e.g. configuration errors), 2 usage error
// or subcommand not built yet, 75 (EX_TEMPFAIL) temporary failure (`deliver`).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct Session;  // server/runtime.h

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_tempfail = 75;

// A registered subcommand: its CLI11 node and the action run when it was chosen.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Options every subcommand that reads the configuration accepts.
struct ConfigOption {
  std::string path;  // --config FILE; default: $MADOGUCHI_CONFIG, else /etc/madoguchi/madoguchi.yaml
  std::string resolved() const;
};
void add_config_option(CLI::App& app, ConfigOption& option);

// Loads the configuration and opens its store without the runtime (desks, templates), as the
// listing and retry commands need; logging at warn, addresses masked unless log_personal_data.
// On failure prints the errors ("madoguchi <command>: …") and returns nullptr.
std::unique_ptr<Session> open_store_session(const ConfigOption& config, std::string_view command);

// Registers a subcommand whose implementation has not landed yet: it prints which issue
// builds it and exits 2.
Subcommand add_unbuilt_command(CLI::App& root, const std::string& name,
                               const std::string& description, const std::string& issue);

Subcommand add_run_command(CLI::App& root);
Subcommand add_deliver_command(CLI::App& root);
Subcommand add_check_command(CLI::App& root);
Subcommand add_classify_command(CLI::App& root);
Subcommand add_parse_command(CLI::App& root);
Subcommand add_calendar_command(CLI::App& root);
Subcommand add_ticket_command(CLI::App& root);
Subcommand add_message_command(CLI::App& root);
Subcommand add_outbox_command(CLI::App& root);

// Parses argv, runs the chosen subcommand, returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace madoguchi::daemon

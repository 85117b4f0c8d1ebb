// cli.cpp — dispatch of the `madoguchi` subcommands (see cli.h for exit codes).
#include "daemon/cli/cli.h"

#include "daemon/log/log.h"
#include "daemon/server/runtime.h"

#include <cstdlib>
#include <iostream>
#include <vector>

namespace madoguchi::daemon {

std::string ConfigOption::resolved() const {
  if (!path.empty()) return path;
  if (const char* env = std::getenv("MADOGUCHI_CONFIG"); env && *env) return env;
  return "/etc/madoguchi/madoguchi.yaml";
}

void add_config_option(CLI::App& app, ConfigOption& option) {
  app.add_option("-c,--config", option.path,
                 "main configuration file (default: $MADOGUCHI_CONFIG, else "
                 "/etc/madoguchi/madoguchi.yaml)");
}

std::unique_ptr<Session> open_store_session(const ConfigOption& option, std::string_view command) {
  rules::ConfigErrors errors;
  auto config = load_main_config(option.resolved(), errors);
  if (!config) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return nullptr;
  }
  init_logging("warn", !config->log_personal_data);
  try {
    return open_session(*config, system_now);
  } catch (const std::exception& e) {
    std::cerr << "madoguchi " << command << ": " << e.what() << '\n';
    return nullptr;
  }
}

Subcommand add_unbuilt_command(CLI::App& root, const std::string& name,
                               const std::string& description, const std::string& issue) {
  auto* app = root.add_subcommand(name, description + " [not built yet]");
  app->allow_extras();
  return {app, [name, issue] {
            std::cerr << "madoguchi " << name << ": not built yet (" << issue << ")\n";
            return exit_usage;
          }};
}

int run_cli(int argc, char** argv) {
  CLI::App root{"madoguchi (窓口): e-mail support ticketing daemon for Japanese support desks"};
  root.set_version_flag("--version", std::string("madoguchi ") + MADOGUCHI_VERSION);
  root.require_subcommand(0, 1);
  std::vector<Subcommand> commands{
      add_run_command(root),      add_deliver_command(root), add_check_command(root),
      add_classify_command(root), add_parse_command(root),   add_calendar_command(root),
      add_ticket_command(root),   add_message_command(root), add_outbox_command(root),
  };
  auto* help = root.add_subcommand("help", "print the commands, or one command's options: help [COMMAND]");
  std::vector<std::string> help_topic;
  help->add_option("command", help_topic, "a command, e.g. ticket");
  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    root.exit(e);  // prints the message and the usage hint
    return exit_usage;
  }
  if (help->parsed()) {
    const CLI::App* topic = &root;
    for (const auto& name : help_topic) {
      const CLI::App* sub = nullptr;
      try {
        sub = topic->get_subcommand(name);
      } catch (const CLI::OptionNotFound&) {
        std::cerr << "madoguchi help: no command '" << name << "'\n";
        return exit_usage;
      }
      topic = sub;
    }
    // App::help() would describe the parsed `help` subcommand itself: format the topic directly.
    std::cout << topic->get_formatter()->make_help(topic, topic == &root ? "madoguchi" : topic->get_name(),
                                                   CLI::AppFormatMode::Normal);
    return exit_ok;
  }
  for (const auto& c : commands)
    if (c.app->parsed()) return c.run();
  std::cerr << "madoguchi: a subcommand is required\nRun with --help for more information.\n";
  return exit_usage;
}

}  // namespace madoguchi::daemon

// cmd_check.cpp — `madoguchi check [--config FILE] [--tenants FILE]`: validate the whole
// configuration (main file, desks and their rules, tenants, the templates they refer to)
// without running anything, like Kea's `-t`. Every error is printed as
// `file:line:column: message`, so an operator fixes them all in one pass; exit 0 when there
// is none, 1 otherwise. It loads exactly what the daemon loads (Policy::load), so a
// configuration that checks is one the daemon accepts on start or SIGHUP.
#include "daemon/cli/cli.h"
#include "daemon/server/config.h"
#include "daemon/server/runtime.h"

#include <iostream>
#include <memory>

namespace madoguchi::daemon {

Subcommand add_check_command(CLI::App& root) {
  auto* app = root.add_subcommand("check", "validate the configuration without running it");
  auto config = std::make_shared<ConfigOption>();
  auto tenants = std::make_shared<std::string>();
  add_config_option(*app, *config);
  app->add_option("--tenants", *tenants, "tenants file (overrides the configuration's `tenants:`)");
  return {app, [config, tenants] {
            rules::ConfigErrors errors;
            const std::string path = config->resolved();
            auto cfg = load_main_config(path, errors);
            std::size_t desks = 0, rules_count = 0, tenant_count = 0;
            if (cfg) {
              if (auto rt = load_runtime(*cfg, errors, *tenants)) {
                desks = rt->policy->desks().size();
                tenant_count = rt->policy->tenants().size();
                for (const auto& d : rt->policy->desks()) rules_count += d.rules.size();
              }
            }
            for (const auto& e : errors) std::cerr << e.to_string() << '\n';
            if (!errors.empty()) {
              std::cerr << errors.size() << (errors.size() == 1 ? " error\n" : " errors\n");
              return exit_failure;
            }
            std::cout << path << ": ok (" << desks << " desks, " << rules_count << " rules, "
                      << tenant_count << " tenants)\n";
            return exit_ok;
          }};
}

}  // namespace madoguchi::daemon

// runtime.h — turning the configuration into what runs: the rules and templates (stage ->
// validate -> commit: nothing replaces the running set unless all of it is valid, as Kea's
// staging configuration), the service settings, and a session (store + context) for the
// daemon and for each CLI command. `check`, start-up and SIGHUP go through the same code.
#pragma once

#include "daemon/server/config.h"
#include "daemon/service/context.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace madoguchi::daemon {

// Loads desks, tenants and templates and cross-checks them (mailbox desks exist, templates
// render and every referenced one exists); nullopt with every error (file:line:column).
std::optional<Runtime> load_runtime(const MainConfig& config, rules::ConfigErrors& errors,
                                    const std::filesystem::path& tenants_override = {});

// Only the desks and tenants (classify and calendar need no templates); nullptr on errors.
std::shared_ptr<const rules::Policy> load_policy(const MainConfig& config, rules::ConfigErrors& errors,
                                                 const std::filesystem::path& tenants_override = {});

// What the services need to know of the configuration.
Settings settings_of(const MainConfig& config);

// An open store and a context over it, with the runtime set when one was given.
struct Session {
  MainConfig config;
  std::unique_ptr<Store> store;
  std::unique_ptr<Context> ctx;
};
// Opens (creating when needed) the store and the tag key. Throws on failure (start-up).
std::unique_ptr<Session> open_session(const MainConfig& config, Clock clock,
                                      std::optional<Runtime> runtime = std::nullopt);

}  // namespace madoguchi::daemon

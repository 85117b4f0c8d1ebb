// runner.h — what `madoguchi run` and `madoguchi deliver` share: loading the configuration
// into a Runtime, making the sources and the sink the configuration names.
#pragma once

#include "daemon/config.h"
#include "daemon/mail_sink.h"
#include "daemon/mail_source.h"
#include "daemon/pipeline.h"
#include "daemon/store.h"

#include <memory>
#include <optional>
#include <string>

namespace madoguchi::daemon {

// Loads desks, tenants and templates and cross-checks them (mailbox desks exist, templates
// render and every referenced one exists); nullopt with every error (file:line:column) on
// failure. `madoguchi check`, start-up and SIGHUP all go through here.
std::optional<Runtime> load_runtime(const MainConfig& config, rules::ConfigErrors& errors,
                                    const std::filesystem::path& tenants_override = {});

// The source for a mailbox entry (maildir: or imap(s)://); IMAP keeps its checkpoint in
// `store`, which must outlive the source.
std::unique_ptr<MailSource> make_source(const MailboxConfig& mailbox, Store& store);

// The sink for the smtp entry; throws std::runtime_error for a kind not built yet.
std::unique_ptr<MailSink> make_sink(const SmtpConfig& smtp);

// Prints the `run --once` table of what happened.
void print_summary(const std::vector<ProcessedMail>& processed, std::ostream& out);

}  // namespace madoguchi::daemon

// config.h — the main configuration file (madoguchi.yaml, SPEC.md §11): where the store,
// desks, tenants and templates are, the mailboxes to read and the SMTP server to send through.
// Paths in the file are relative to the file. Unknown keys, duplicates and wrong types are
// errors with file:line:column. Credentials are never in this file: only where to read them.
#pragma once

#include "daemon/transport/settings.h"
#include "rules/config_reader.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::daemon {

struct MainConfig {
  std::filesystem::path file;           // the configuration file itself
  std::filesystem::path store;          // SQLite database and raw-mail spool
  std::filesystem::path desks_dir;
  std::filesystem::path tenants_file;   // "" when the config has no tenants file
  std::filesystem::path templates_dir;
  std::vector<std::string> staff;       // lower-case staff addresses
  std::map<std::string, std::string> staff_names;  // lower-case address -> name (担当)
  std::size_t staff_attachment_limit = 10u * 1024 * 1024;  // attached to a staff notice, in all
  std::vector<std::string> trusted_authserv_ids;  // lower-case; our MTAs' Authentication-Results
  bool staff_authentication_from_header = false;  // staff_authentication: from_header
  std::vector<MailboxConfig> mailboxes;
  SmtpConfig smtp;
  std::string log_level = "info";       // trace|debug|info|warn|error
  bool log_personal_data = false;       // unmask addresses in logs (debugging only)
  int auto_replies_per_hour = 3;        // per sender (SPEC.md §4)
  int staff_notices_per_hour = 10;      // staff notices caused by one sender's mail
  int message_attempts = 5;             // failed processing attempts before a mail is set aside
  std::chrono::seconds message_time_limit{120};  // one attempt's lease on one mail
  int imap_fetch_attempts = 3;          // failed FETCHes of one UID before a stub stands in
  std::filesystem::path tag_key_file;   // key of the ticket tags' check; default <store>/tag.key
};

// Loads and validates `path`. Returns nullopt with every problem in `errors`.
std::optional<MainConfig> load_main_config(const std::filesystem::path& path,
                                           rules::ConfigErrors& errors);

// Default templates directory: $MADOGUCHI_TEMPLATES, else the source tree's templates/.
std::filesystem::path default_templates_dir();

}  // namespace madoguchi::daemon

// config.h — the main configuration file (madoguchi.yaml, SPEC.md §11): where the store,
// desks, tenants and templates are, the mailboxes to read and the SMTP server to send through.
// Paths in the file are relative to the file. Unknown keys, duplicates and wrong types are
// errors with file:line:column. Credentials are never in this file: only where to read them.
#pragma once

#include "rules/config_reader.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::daemon {

struct MailboxConfig {
  std::string name;
  std::string url;   // imaps://host:port/FOLDER, imap://… (STARTTLS), maildir:/path
  std::string user;
  std::string password_file;       // resolved path, "" when unset
  std::string password_env;        // environment variable name
  std::string xoauth2_token_file;  // resolved path
  std::string ca_file;             // resolved path
  std::string desk;                // desk for mail whose recipients match no desk address
  std::string after_processing = "seen";  // seen | move:Folder
  std::chrono::seconds first_run_cutoff{7 * 86400};
  std::chrono::seconds poll_interval{60};
  bool allow_plaintext = false;    // imap:// without STARTTLS (tests on loopback only)
  std::string password_credential; // systemd credential name ($CREDENTIALS_DIRECTORY/<name>)
  // Bigger mail is stored up to this many bytes (the rest stays on the server), ticketed for
  // staff and never answered automatically. "25M", "512K" or bytes in the file.
  std::size_t max_message_size = std::size_t(25) << 20;
  bool idle = true;                // use IMAP IDLE when the server offers it
};

struct SmtpConfig {
  std::string url = "dir:outbox";  // smtp://host:587 (STARTTLS), smtps://…, dir:/path (sink)
  std::string user;
  std::string password_file;        // resolved path; at most one of the three sources
  std::string password_env;         // environment variable name
  std::string password_credential;  // systemd credential name ($CREDENTIALS_DIRECTORY/<name>)
  std::string ca_file;
  bool allow_plaintext = false;
  std::chrono::seconds max_age{2 * 86400};  // give up retrying a 4xx after this long
  // Automatic mail to an address with this many hard bounces within bounce_suppress_for is
  // not sent (0 = never suppress).
  int bounce_suppress_after = 3;
  std::chrono::seconds bounce_suppress_for{30 * 86400};
};

struct MainConfig {
  std::filesystem::path file;           // the configuration file itself
  std::filesystem::path store;          // SQLite database and raw-mail spool
  std::filesystem::path desks_dir;
  std::filesystem::path tenants_file;   // "" when the config has no tenants file
  std::filesystem::path templates_dir;
  std::vector<std::string> staff;       // lower-case staff addresses
  std::vector<MailboxConfig> mailboxes;
  SmtpConfig smtp;
  std::string log_level = "info";       // trace|debug|info|warn|error
  bool log_personal_data = false;       // unmask addresses in logs (debugging only)
  int auto_replies_per_hour = 3;        // per sender (SPEC.md §4)
  std::filesystem::path tag_key_file;   // key of the ticket tags' check; default <store>/tag.key
};

// Loads and validates `path`. Returns nullopt with every problem in `errors`.
std::optional<MainConfig> load_main_config(const std::filesystem::path& path,
                                           rules::ConfigErrors& errors);

// Default templates directory: $MADOGUCHI_TEMPLATES, else the source tree's templates/.
std::filesystem::path default_templates_dir();

}  // namespace madoguchi::daemon

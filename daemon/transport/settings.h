// settings.h — what each IO edge is told by the configuration: a mailbox (IMAP, Maildir,
// stdin) and the SMTP relay. server/config.cpp fills these from madoguchi.yaml; the edges
// only read them. Credentials are never here: only where to read them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

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
  int desk_line = 0, desk_column = 0;  // where `desk` is written (1-based, 0 unknown): for errors
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

}  // namespace madoguchi::daemon

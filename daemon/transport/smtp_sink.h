// smtp_sink.h — the SMTP edge: one libcurl SMTP transaction per message and recipient
// (LIBRARY-FACTS.md: with several RCPTs libcurl cannot say which one failed).
//
// smtp://host:port  STARTTLS is required (CURLUSESSL_ALL) unless allow_plaintext, then tried;
// smtps://host:port implicit TLS. The server certificate is verified (ca_file, else the
// system store). AUTH with user + password when a user is configured. The URL's path, if
// any, is the EHLO name (smtp://host:587/mail.example.jp).
//
// Results (SendResult): 2xx after the final dot -> sent; 5xx to RCPT TO, DATA or the end of
// the data -> permanent (this recipient or this message is refused); a refusal of the session
// — at the greeting, EHLO/HELO, STARTTLS, AUTH or MAIL FROM ("554 relay access denied",
// "530 authentication required"), 5xx included — and 4xx, no connection, TLS failures,
// timeouts -> temporary: the next message would meet the same refusal, so the mail waits for
// the server or the configuration to be fixed. `stage` says which step failed. `reply` is
// the server's last reply line ("550 5.1.1 …"), or, when the server said nothing, "no reply:
// <libcurl error>" (no leading digit: the outbox uses that to tell an unreachable server from
// a refusal). Credentials never reach a reply or a log.
#pragma once

#include "daemon/transport/settings.h"
#include "daemon/transport/mail_sink.h"

#include <chrono>
#include <string>

namespace madoguchi::daemon {

struct SmtpOptions {
  std::string url;        // smtp://… or smtps://…
  std::string user;       // "" = no AUTH
  std::string password;   // the secret itself (read by smtp_options_from_config)
  std::string ca_file;    // "" = system CA store
  bool allow_plaintext = false;
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds timeout{300};  // whole transaction
};

// Reads the password through read_credential (credentials.h): password_file, password_env or
// password_credential ($CREDENTIALS_DIRECTORY/<name>), trailing newline dropped; none = no
// password. Throws std::runtime_error naming the source (never the secret) when it is
// unreadable, unset or empty, or when more than one source is configured.
SmtpOptions smtp_options_from_config(const SmtpConfig& config);

class SmtpSink final : public MailSink {
 public:
  explicit SmtpSink(SmtpOptions options);
  ~SmtpSink() override;
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  SendResult send(const Envelope& envelope, std::string_view raw,
                  std::string_view message_id) override;

 private:
  SmtpOptions options_;
  void* curl_ = nullptr;  // one easy handle, so a connection is reused between messages
};

}  // namespace madoguchi::daemon

// mail_servers.h — integration-test fixture: the real Dovecot and SMTP capture server of the
// repository's kit (tests/mailservers/, its README says what each script does), started on
// free loopback ports under a private directory and stopped (with their files removed) when
// the fixture goes out of scope.
// Never a hand-written fake: the daemon talks to real servers over the network.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
int free_loopback_port();

// The kit's folder (tests/mailservers/ of the sources): its scripts take the environment
// MailServers passes (MAILTEST_BASE, the ports, MAIL_USERS), e.g. fill-mailbox.sh.
std::filesystem::path mail_server_kit();

struct MailServerOptions {
  bool start_dovecot = true;
  bool start_smtp = true;
  std::string dovecot_ssl = "yes";  // yes | required
  bool smtp_tls = false;
  bool smtp_require_tls = false;
  std::string smtp_auth;            // "user:pass" to require AUTH
  bool smtp_forward_lmtp = false;   // also deliver captured mail into Dovecot
  // Dovecot's imap_capability: when set, the capabilities IMAP advertises instead of its own
  // (e.g. a list without IDLE, for a server that lacks it); the kit's IMAP_CAPABILITY.
  std::string imap_capability;
  // Users besides `user` (password "secret") whose mail, delivered over Dovecot's LMTP (e.g. by
  // the capture server with smtp_forward_lmtp), a Sieve vacation answers (the kit's
  // SIEVE_VACATION_USERS, Debian's dovecot-sieve): a real autoresponder. Names are local parts;
  // Dovecot's users are local parts, so it-admin@any.domain is the user it-admin.
  std::vector<std::string> vacation_users;
  // The user whose INBOX the tests read (MailServers::user): the local part of the address
  // that mail to the desk is delivered to over LMTP.
  std::string user = "support";
};

class MailServers {
 public:
  explicit MailServers(MailServerOptions options = {});
  ~MailServers();
  MailServers(const MailServers&) = delete;
  MailServers& operator=(const MailServers&) = delete;

  void start_dovecot();
  // The greeting line of a new connection to the IMAP (STARTTLS) port, where Dovecot's login
  // process lists its pre-login capabilities (STARTTLS, AUTH=...); "" when none came in 5 s.
  std::string imap_greeting() const;
  void stop_dovecot();
  void start_smtp();
  void stop_smtp();

  // Puts `raw` into the user's INBOX exactly as given (doveadm save); Dovecot assigns a UID.
  // Its arrival time (INTERNALDATE) is this process's clock, see stamp_arrivals().
  void deliver_to_inbox(std::string_view raw);
  // Sets the arrival time of every mail now in INBOX (the Maildir file's mtime, which is
  // Dovecot's INTERNALDATE) to `t`. Mail the kit writes, and mail Dovecot stores, carries
  // the time of the kernel's clock; a test whose processes run under a faked clock
  // (libfaketime, scripts/test-future-clock.sh) stamps it with its own clock, as a machine
  // whose clock really had moved would have. Call it before any client has read the mail.
  void stamp_arrivals(std::chrono::sys_seconds t) const;
  // Puts `raw` into INBOX by IMAP APPEND (Python's imaplib over STARTTLS) with the given
  // INTERNALDATE, for tests whose clock is not the wall clock.
  void append_to_inbox(std::string_view raw, std::chrono::sys_seconds internal_date);
  // The captured .eml files of the SMTP server, in arrival order.
  std::vector<std::filesystem::path> captured() const;
  // INBOX's message files by Maildir unique name (Dovecot's storage, for fault tests).
  std::map<std::string, std::filesystem::path> inbox_files() const;

  const std::filesystem::path& base() const { return base_; }
  std::filesystem::path capture_dir() const { return base_ / "smtp" / "captured"; }
  std::filesystem::path ca_cert() const { return base_ / "tls" / "cert.pem"; }
  std::filesystem::path dovecot_conf() const { return base_ / "dovecot" / "dovecot.conf"; }
  std::string imap_url(bool tls_port = false) const;  // imap://127.0.0.1:P or imaps://…
  std::string smtp_url() const;

  int imap_port = 0;
  int imaps_port = 0;
  int lmtp_port = 0;
  int smtp_port = 0;
  std::string user;  // options.user
  std::string password = "secret";

 private:
  void script(const std::string& name, const std::string& extra_env = "") const;
  std::string env() const;

  MailServerOptions options_;
  std::filesystem::path base_;
  std::filesystem::path kit_;
  bool dovecot_running_ = false;
  bool smtp_running_ = false;
};

}  // namespace madoguchi::testing

// imap_connection.h — one IMAP connection: libcurl connects, verifies the certificate and
// logs in (CURLOPT_CONNECT_ONLY), then we speak IMAP over curl_easy_send/curl_easy_recv with
// the protocol layer of imap_protocol.h (LIBRARY-FACTS.md: libcurl's own IMAP commands set
// \Seen, drop literals and cannot IDLE).
//
// Blocking with timeouts: every wait is a poll() on the socket (after draining what TLS has
// buffered: curl_easy_recv until CURLE_AGAIN) with an inactivity timeout, plus an optional
// "stop" descriptor so that a thread sitting in IDLE can be woken to shut down. A connection
// is used by one thread at a time. Failures are SourceError; the password never appears in one.
#pragma once

#include "daemon/transport/credentials.h"
#include "daemon/transport/imap_protocol.h"
#include "daemon/transport/mail_source.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

struct ImapSettings {
  std::string url;             // imaps://host:port/ or imap://host:port/ (no mailbox)
  std::string user;
  Credential credential;
  std::string ca_file;         // "" = the system's CA bundle
  bool allow_plaintext = false;  // imap:// without STARTTLS (loopback tests only)
  std::chrono::milliseconds timeout{60000};   // inactivity limit of a read or write
  std::size_t max_literal = std::size_t(64) << 20;  // bigger literals are refused (memory)
};

class ImapConnection {
 public:
  // Connects, TLS (implicit for imaps://, STARTTLS required for imap://), login, CAPABILITY.
  // Throws SourceError.
  explicit ImapConnection(const ImapSettings& settings);
  ~ImapConnection();
  ImapConnection(const ImapConnection&) = delete;
  ImapConnection& operator=(const ImapConnection&) = delete;

  struct Result {
    imap::Response done;                  // the tagged completion (OK; NO when allowed)
    std::vector<imap::Response> untagged;
  };
  // Sends "<tag> <command>" and reads until its tagged completion. A NO or BAD throws
  // SourceError naming the command's first word, unless `allow_no` (then NO is returned).
  Result run(std::string_view command, bool allow_no = false);

  // APPEND with a literal and an internal date (tests and tools put mail in this way).
  void append(std::string_view mailbox_utf8, std::string_view raw,
              std::optional<std::chrono::sys_seconds> internal_date = std::nullopt);

  bool has_capability(std::string_view cap) const;

  // Low level, for IDLE: sends "<tag> <command>" and returns the tag.
  std::string send_command(std::string_view command);
  void send_raw(std::string_view bytes);
  // The next response. nullopt when `stop_fd` became readable, or when `timeout` passed and
  // `timeout_is_error` is false; a timeout otherwise throws SourceError.
  std::optional<imap::Response> read(std::chrono::milliseconds timeout, int stop_fd = -1,
                                     bool timeout_is_error = true);
  // Best-effort LOGOUT (never throws).
  void logout() noexcept;

  const ImapSettings& settings() const { return settings_; }

 private:
  enum class Wait { ready, timeout, stopped };
  Wait wait_socket(bool for_write, std::chrono::milliseconds timeout, int stop_fd);

  ImapSettings settings_;
  void* curl_ = nullptr;  // CURL*
  int socket_ = -1;
  unsigned tag_counter_ = 0;
  imap::ResponseReader reader_;
  std::vector<std::string> capabilities_;
  std::vector<char> recv_buffer_;
};

}  // namespace madoguchi::daemon

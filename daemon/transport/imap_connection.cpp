// imap_connection.cpp — see imap_connection.h.
#include "daemon/transport/imap_connection.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <mutex>

namespace madoguchi::daemon {

namespace {

CURL* handle(void* p) { return static_cast<CURL*>(p); }

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The first word of a command, for error messages (never the arguments' values).
std::string verb_of(std::string_view command) {
  auto sp = command.find(' ');
  std::string v(command.substr(0, sp));
  if ((v == "UID" || v == "uid") && sp != std::string_view::npos) {
    auto rest = command.substr(sp + 1);
    v += " " + std::string(rest.substr(0, rest.find(' ')));
  }
  return v;
}

}  // namespace

ImapConnection::ImapConnection(const ImapSettings& settings)
    : settings_(settings), reader_(settings.max_literal + 4096), recv_buffer_(256 * 1024) {
  global_init();
  CURL* h = curl_easy_init();
  if (!h) throw SourceError("curl_easy_init failed");
  curl_ = h;
  char errbuf[CURL_ERROR_SIZE] = {0};
  const bool implicit_tls = settings_.url.rfind("imaps://", 0) == 0;
  curl_easy_setopt(h, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(
                                                     settings_.timeout.count(), 15000)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERNAME, settings_.user.c_str());
  if (settings_.credential.kind == Credential::Kind::xoauth2_bearer)
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, settings_.credential.secret.c_str());
  else
    curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.credential.secret.c_str());
  if (!implicit_tls)
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     settings_.allow_plaintext ? static_cast<long>(CURLUSESSL_NONE)
                                               : static_cast<long>(CURLUSESSL_ALL));
  if (!settings_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
  const CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // errbuf lives on this stack frame
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    curl_easy_cleanup(h);
    curl_ = nullptr;
    throw SourceError("imap connect failed (curl " + std::to_string(static_cast<int>(rc)) + "): " + detail);
  }
  curl_socket_t sock = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK || sock == CURL_SOCKET_BAD) {
    curl_easy_cleanup(h);
    curl_ = nullptr;
    throw SourceError("imap connect: no active socket");
  }
  socket_ = static_cast<int>(sock);
  const Result caps = run("CAPABILITY");
  for (const auto& r : caps.untagged) {
    auto c = imap::capabilities(r);
    capabilities_.insert(capabilities_.end(), c.begin(), c.end());
  }
}

ImapConnection::~ImapConnection() {
  if (curl_) curl_easy_cleanup(handle(curl_));
}

bool ImapConnection::has_capability(std::string_view cap) const {
  return std::find(capabilities_.begin(), capabilities_.end(), cap) != capabilities_.end();
}

ImapConnection::Wait ImapConnection::wait_socket(bool for_write, std::chrono::milliseconds timeout,
                                                 int stop_fd) {
  pollfd fds[2] = {{socket_, static_cast<short>(for_write ? POLLOUT : POLLIN), 0},
                   {stop_fd, POLLIN, 0}};
  const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(std::max<long long>(0, timeout.count())));
  if (n < 0) {
    if (errno == EINTR) return Wait::ready;  // the caller retries the operation
    throw SourceError("imap: poll failed");
  }
  if (n == 0) return Wait::timeout;
  if (stop_fd >= 0 && (fds[1].revents & POLLIN)) return Wait::stopped;
  return Wait::ready;
}

void ImapConnection::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t sent = 0;
    const CURLcode rc = curl_easy_send(handle(curl_), bytes.data(), bytes.size(), &sent);
    if (rc == CURLE_AGAIN) {
      if (wait_socket(true, settings_.timeout, -1) == Wait::timeout)
        throw SourceError("imap: timeout while sending");
      continue;
    }
    if (rc != CURLE_OK) throw SourceError(std::string("imap: send failed: ") + curl_easy_strerror(rc));
    bytes.remove_prefix(sent);
  }
}

std::string ImapConnection::send_command(std::string_view command) {
  std::string tag = "m" + std::to_string(++tag_counter_);
  std::string line = tag;
  line += ' ';
  line += command;
  line += "\r\n";
  send_raw(line);
  return tag;
}

std::optional<imap::Response> ImapConnection::read(std::chrono::milliseconds timeout, int stop_fd,
                                                   bool timeout_is_error) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (auto r = reader_.next()) return r;
    } catch (const imap::ProtocolError& e) {
      throw SourceError(std::string("imap protocol error: ") + e.what());
    }
    std::size_t n = 0;
    const CURLcode rc = curl_easy_recv(handle(curl_), recv_buffer_.data(), recv_buffer_.size(), &n);
    if (rc == CURLE_OK) {
      if (n == 0) throw SourceError("imap: the server closed the connection");
      reader_.feed(std::string_view(recv_buffer_.data(), n));
      deadline = std::chrono::steady_clock::now() + timeout;  // an inactivity limit
      continue;
    }
    if (rc != CURLE_AGAIN) throw SourceError(std::string("imap: receive failed: ") + curl_easy_strerror(rc));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const Wait w = left.count() <= 0 ? Wait::timeout : wait_socket(false, left, stop_fd);
    if (w == Wait::stopped) return std::nullopt;
    if (w == Wait::timeout) {
      if (timeout_is_error) throw SourceError("imap: timeout waiting for the server");
      return std::nullopt;
    }
  }
}

ImapConnection::Result ImapConnection::run(std::string_view command, bool allow_no) {
  const std::string tag = send_command(command);
  Result result;
  for (;;) {
    auto r = read(settings_.timeout);
    if (r->type == imap::Response::Type::tagged) {
      if (r->tag != tag) continue;  // a stale completion (cannot happen with one in flight)
      if (r->status == "OK" || (allow_no && r->status == "NO")) {
        result.done = std::move(*r);
        return result;
      }
      throw SourceError("imap " + verb_of(command) + " failed: " + r->status + " " + r->text);
    }
    if (r->type == imap::Response::Type::continuation)
      throw SourceError("imap " + verb_of(command) + ": unexpected continuation request");
    if (r->status == "BYE") throw SourceError("imap: server said BYE: " + r->text);
    result.untagged.push_back(std::move(*r));
  }
}

void ImapConnection::append(std::string_view mailbox_utf8, std::string_view raw,
                            std::optional<std::chrono::sys_seconds> internal_date) {
  std::string cmd = "APPEND " + imap::mailbox_argument(mailbox_utf8);
  if (internal_date) cmd += " \"" + imap::format_internal_date(*internal_date) + "\"";
  cmd += " {" + std::to_string(raw.size()) + "}";
  const std::string tag = send_command(cmd);
  for (;;) {
    auto r = read(settings_.timeout);
    if (r->type == imap::Response::Type::continuation) break;
    if (r->type == imap::Response::Type::tagged && r->tag == tag)
      throw SourceError("imap APPEND refused: " + r->status + " " + r->text);
  }
  send_raw(raw);
  send_raw("\r\n");
  for (;;) {
    auto r = read(settings_.timeout);
    if (r->type == imap::Response::Type::tagged && r->tag == tag) {
      if (r->status != "OK") throw SourceError("imap APPEND failed: " + r->status + " " + r->text);
      return;
    }
  }
}

void ImapConnection::logout() noexcept {
  try {
    send_command("LOGOUT");
    for (int i = 0; i < 4; ++i) {
      auto r = read(std::chrono::milliseconds(500), -1, false);
      if (!r || r->type == imap::Response::Type::tagged) break;
    }
  } catch (const std::exception&) {
    // The connection is going away anyway.
  }
}

}  // namespace madoguchi::daemon

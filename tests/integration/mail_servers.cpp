// mail_servers.cpp — see mail_servers.h.
#include "mail_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

namespace madoguchi::testing {

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path mail_server_kit() {
  return std::filesystem::path(MADOGUCHI_SOURCE_DIR) / "tests" / "mailservers";
}

MailServers::MailServers(MailServerOptions options)
    : user(options.user), options_(std::move(options)), kit_(mail_server_kit()) {
  if (!std::filesystem::exists(kit_ / "start-dovecot.sh"))
    throw std::runtime_error("mail server kit not found at " + kit_.string());
  std::random_device rd;
  base_ = std::filesystem::temp_directory_path() /
          ("madoguchi-mailtest-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000));
  std::filesystem::create_directories(base_);
  imap_port = free_loopback_port();
  imaps_port = free_loopback_port();
  lmtp_port = free_loopback_port();
  smtp_port = free_loopback_port();
  try {
    if (options_.start_dovecot) start_dovecot();
    if (options_.start_smtp) start_smtp();
  } catch (...) {
    // Do not leak a half-started server: stop what runs, then report the failure.
    stop_smtp();
    stop_dovecot();
    throw;
  }
}

MailServers::~MailServers() {
  try {
    stop_smtp();
    stop_dovecot();
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mail server fixture cleanup failed: %s\n", e.what());
  }
}

std::string MailServers::env() const {
  std::string e = "MAILTEST_BASE='" + base_.string() + "'";
  e += " IMAP_PORT=" + std::to_string(imap_port);
  e += " IMAPS_PORT=" + std::to_string(imaps_port);
  e += " LMTP_PORT=" + std::to_string(lmtp_port);
  e += " SMTP_PORT=" + std::to_string(smtp_port);
  e += " MAIL_USERS='" + user + ":" + password;
  std::string vacation;
  for (const auto& name : options_.vacation_users) {
    e += " " + name + ":secret";
    vacation += (vacation.empty() ? "" : " ") + name;
  }
  e += "'";
  if (!vacation.empty()) e += " SIEVE_VACATION_USERS='" + vacation + "'";
  e += " DOVECOT_SSL=" + options_.dovecot_ssl;
  if (!options_.imap_capability.empty()) e += " IMAP_CAPABILITY='" + options_.imap_capability + "'";
  return e;
}

void MailServers::script(const std::string& name, const std::string& extra_env) const {
  const auto log = base_ / (name + ".log");
  const std::string cmd = env() + " " + extra_env + " bash '" + (kit_ / name).string() + "' >>'" +
                          log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    throw std::runtime_error(name + " failed (rc=" + std::to_string(rc) + "): " + text);
  }
}

std::string MailServers::imap_greeting() const {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  const timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(imap_port));
  std::string line;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char c;
    while (line.size() < 4096 && ::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  }
  ::close(fd);
  return line;
}

void MailServers::start_dovecot() {
  script("start-dovecot.sh");
  dovecot_running_ = true;
  if (options_.imap_capability.empty()) return;
  // The kit wrote it into the configuration (IMAP_CAPABILITY): check that imap-login greets
  // with that list, so that a test never runs against Dovecot's own.
  const std::string expected = "[CAPABILITY " + options_.imap_capability + " ";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (imap_greeting().find(expected) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("dovecot did not take imap_capability = " + options_.imap_capability);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void MailServers::stop_dovecot() {
  if (!dovecot_running_) return;
  dovecot_running_ = false;
  script("stop-dovecot.sh");
}

void MailServers::start_smtp() {
  std::string extra;
  if (options_.smtp_tls) extra += " SMTP_TLS=1";
  if (options_.smtp_require_tls) extra += " SMTP_REQUIRE_TLS=1";
  if (!options_.smtp_auth.empty()) extra += " SMTP_AUTH='" + options_.smtp_auth + "'";
  if (options_.smtp_forward_lmtp) extra += " SMTP_FORWARD_LMTP=1";
  script("start-smtp-capture.sh", extra);
  smtp_running_ = true;
}

void MailServers::stop_smtp() {
  if (!smtp_running_) return;
  smtp_running_ = false;
  script("stop-smtp-capture.sh");
}

void MailServers::deliver_to_inbox(std::string_view raw) {
  const auto file = base_ / "deliver.eml";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(raw.data(), static_cast<std::streamsize>(raw.size()));
  }
  const std::string cmd = "doveadm -c '" + dovecot_conf().string() + "' save -u " + user +
                          " -m INBOX < '" + file.string() + "' >>'" + (base_ / "doveadm.log").string() +
                          "' 2>&1";
  const auto before = inbox_files();
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("doveadm save failed");
  // The new file's mtime to this process's clock (a no-op within the second unless the clock
  // is faked). Dovecot reads the mtime when a client first asks for INTERNALDATE, at least
  // its 500 ms IDLE notification delay after the save; a rename from new/ to cur/ meanwhile
  // is looked for again.
  const auto now = std::chrono::file_clock::from_sys(std::chrono::system_clock::now());
  for (int attempt = 0; attempt < 5; ++attempt) {
    int left = 0;
    for (const auto& [unique, path] : inbox_files()) {
      if (before.count(unique)) continue;
      std::error_code ec;
      std::filesystem::last_write_time(path, now, ec);
      left += ec ? 1 : 0;
    }
    if (left == 0) return;
  }
  throw std::runtime_error("could not stamp the arrival time of the mail just saved");
}

std::map<std::string, std::filesystem::path> MailServers::inbox_files() const {
  // Maildir names are "<unique>" in new/ and "<unique>:2,<flags>" in cur/.
  std::map<std::string, std::filesystem::path> out;
  const auto maildir = base_ / "mail" / user / "Maildir";
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(maildir / sub, ec)) {
      const std::string name = e.path().filename().string();
      out[name.substr(0, name.find(':'))] = e.path();
    }
  }
  return out;
}

void MailServers::stamp_arrivals(std::chrono::sys_seconds t) const {
  const auto when = std::chrono::file_clock::from_sys(t);
  for (const auto& [unique, path] : inbox_files()) std::filesystem::last_write_time(path, when);
}

void MailServers::append_to_inbox(std::string_view raw, std::chrono::sys_seconds internal_date) {
  const auto file = base_ / "append.eml";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(raw.data(), static_cast<std::streamsize>(raw.size()));
  }
  const std::string script = std::string(MADOGUCHI_SOURCE_DIR) + "/tests/integration/imap_append.py";
  const std::string cmd = "python3 '" + script + "' 127.0.0.1 " + std::to_string(imap_port) + " '" + user +
                          "' '" + password + "' '" + ca_cert().string() + "' " +
                          std::to_string(internal_date.time_since_epoch().count()) + " < '" +
                          file.string() + "' >>'" + (base_ / "append.log").string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("IMAP APPEND failed; see " + (base_ / "append.log").string());
}

std::vector<std::filesystem::path> MailServers::captured() const {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(capture_dir(), ec))
    if (e.path().extension() == ".eml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string MailServers::imap_url(bool tls_port) const {
  return tls_port ? "imaps://127.0.0.1:" + std::to_string(imaps_port)
                  : "imap://127.0.0.1:" + std::to_string(imap_port);
}

std::string MailServers::smtp_url() const { return "smtp://127.0.0.1:" + std::to_string(smtp_port); }

}  // namespace madoguchi::testing

// smtp_fixture.h — integration-test helpers for the outbox against real SMTP servers: the
// scripted aiosmtpd server (tests/integration/smtp_scripted.py) on a free loopback port,
// stopped by its pid; rows queued in a real store; a row's state read back. Time is passed
// in (kNow), so backoff is checked without sleeping.
#pragma once

#include "daemon/store/outbox.h"
#include "daemon/store/store.h"
#include "daemon/transport/smtp_sink.h"
#include "deployment.h"  // TempDir
#include "mail_servers.h"
#include "store_helpers.h"
#include "templates/message.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace madoguchi::testing::smtp {

namespace fs = std::filesystem;
using madoguchi::daemon::OutboxRow;
using madoguchi::daemon::SmtpOptions;
using madoguchi::daemon::Store;
using std::chrono::sys_seconds;

inline const sys_seconds kNow{std::chrono::seconds{1795266900}};  // 2026-11-21 22:15 JST

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// tests/integration/smtp_scripted.py on a free port, stopped (SIGTERM, by pid) at scope end.
class ScriptedSmtp {
 public:
  ScriptedSmtp(const fs::path& dir, std::vector<std::string> args) : dir_(dir), port_(free_loopback_port()) {
    std::vector<std::string> argv{"/usr/bin/python3",
                                  std::string(MADOGUCHI_SOURCE_DIR) + "/tests/integration/smtp_scripted.py",
                                  "--listen", "127.0.0.1:" + std::to_string(port_), "--dir",
                                  (dir / "captured").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !port_open(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(port_open(port_));
  }
  ~ScriptedSmtp() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<fs::path> captured() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "captured", ec))
      if (e.path().extension() == ".eml") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string transcript() const { return slurp(dir_ / "transcript.log"); }

 private:
  fs::path dir_;
  int port_;
  pid_t pid_ = -1;
};

inline std::string compose(const std::string& to, int n) {
  madoguchi::templates::OutgoingMessage m;
  m.from_name = "PassLogic クラウド版 サポート窓口";
  m.from_address = "support@passlogic.example.jp";
  m.to_address = to;
  m.subject = "[#MG-00000" + std::to_string(n) + "] お問い合わせを受け付けました";
  m.body = "受付番号：MG-00000" + std::to_string(n) + "\n本文です。\n.\n.先頭のドット\n";
  m.message_id = "mg." + std::to_string(n) + ".test@passlogic.example.jp";
  m.auto_submitted = "auto-replied";
  m.date = kNow;
  return madoguchi::templates::compose_message(m);
}

inline std::int64_t queue(Store& store, const std::string& to, int n, bool automatic = true) {
  OutboxRow row;
  row.kind = "acknowledgement";
  row.template_name = "ack_received";
  row.envelope_from = automatic ? "" : "support@passlogic.example.jp";
  row.recipient = to;
  row.message_id = "mg." + std::to_string(n) + ".test@passlogic.example.jp";
  row.raw = compose(to, n);
  return enqueue_committed(store, row, kNow);
}

struct RowState {
  std::string state;
  int attempts = 0;
  std::string last_reply;
};

inline RowState row_state(Store& store, std::int64_t id) {
  SQLite::Statement q(store.db(), "SELECT state, attempts, COALESCE(last_reply, '') FROM outbox WHERE id = ?");
  q.bind(1, id);
  REQUIRE(q.executeStep());
  return {q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getString()};
}

inline SmtpOptions plain(const std::string& url) {
  SmtpOptions o;
  o.url = url;
  o.allow_plaintext = true;
  o.connect_timeout = std::chrono::seconds(5);
  o.timeout = std::chrono::seconds(20);
  return o;
}

}  // namespace madoguchi::testing::smtp
